import { countsFor, DAY_MS, orderFacts } from '../lib/scenario';
import { startDomainForTest, TEST_SEED, type DomainUnderTest } from '../lib/testing';
import { ATTRIBUTION_RATE, campaignFacts, CAMPAIGN_COUNT } from './seed';
import type { ConversionRow } from './store';
import { marketing } from '.';

// Campaign statuses are relative to the wall clock, so this domain's story ends now rather than on the pinned day.
const SEED = { ...TEST_SEED, now: Date.now() };
const ANCHOR = SEED.now;
let domain: DomainUnderTest;
let conversions: ConversionRow[];
const campaigns = Array.from({ length: CAMPAIGN_COUNT }, (_, i) => campaignFacts(SEED, i + 1));
beforeAll(async () => {
  domain = await startDomainForTest(marketing, SEED);
  conversions = await domain.db.query<ConversionRow>('SELECT * FROM marketing.conversion ORDER BY id');
});
afterAll(() => domain?.stop());

const newestFirst = (a: ConversionRow, b: ConversionRow) => b.converted_at.getTime() - a.converted_at.getTime() || b.id - a.id;
const statusOf = (c: { startsAt: number; endsAt: number }) => (c.startsAt > ANCHOR ? 'PLANNED' : c.endsAt > ANCHOR ? 'ACTIVE' : 'COMPLETED');

/** Follows `pageInfo.endCursor` until the last page; returns every node in the order served. */
async function allPages(query: string, variables: Record<string, unknown>, connectionOf: (data: any) => any) {
  const nodes: any[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const result = await domain.request<any>(query, { ...variables, after });
    expect(result.errors).toBeUndefined();
    const connection = connectionOf(result.data);
    totals.add(connection.totalCount);
    nodes.push(...connection.edges.map((edge: any) => edge.node));
    if (!connection.pageInfo.hasNextPage) return { nodes, totals: [...totals] };
    after = connection.pageInfo.endCursor;
  }
  throw new Error('more than 100 pages');
}

test('attributes about a third of the orders placed while campaigns run, each to a running campaign', () => {
  const orders = Array.from({ length: countsFor(SEED.scale).orders }, (_, i) => orderFacts(SEED, i + 1));
  const eligible = orders.filter((order) => campaigns.some((c) => c.startsAt <= order.placedAt && order.placedAt < c.endsAt));
  expect(conversions.length / eligible.length).toBeGreaterThan(ATTRIBUTION_RATE - 0.06);
  expect(conversions.length / eligible.length).toBeLessThan(ATTRIBUTION_RATE + 0.06);
  for (const conversion of conversions) {
    const order = orders[conversion.order_id - 1];
    const campaign = campaigns[conversion.campaign_id - 1];
    expect(conversion.customer_id).toBe(order.customerId);
    expect(conversion.converted_at.getTime()).toBe(order.placedAt);
    expect(campaign.startsAt <= order.placedAt && order.placedAt < campaign.endsAt).toBe(true);
    expect(conversion.touchpoints).toBeGreaterThanOrEqual(1);
    expect(conversion.touchpoints).toBeLessThanOrEqual(6);
  }
  expect(new Set(campaigns.map(statusOf))).toEqual(new Set(['PLANNED', 'ACTIVE', 'COMPLETED']));
});

test('resolves 100 Order references with one SQL statement per entity type', async () => {
  const representations = Array.from({ length: 100 }, (_, i) => ({ __typename: 'Order', id: String(i + 1) }));
  domain.resetQueries();
  const result = await domain.request<{ _entities: { id: string; campaign: { id: string } | null; conversion: { id: string; campaign: { id: string } } | null }[] }>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id campaign { id name } conversion { id touchpoints campaign { id } } } } }',
    { r: representations },
  );
  expect(result.errors).toBeUndefined();
  // conversions, campaigns
  expect(domain.queries).toHaveLength(2);
  const expected = new Map(conversions.filter((c) => c.order_id <= 100).map((c) => [String(c.order_id), c]));
  expect(expected.size).toBeGreaterThan(10);
  for (const order of result.data!._entities) {
    const conversion = expected.get(order.id);
    expect(order.conversion?.id ?? null).toBe(conversion ? String(conversion.id) : null);
    expect(order.campaign?.id ?? null).toBe(conversion ? String(conversion.campaign_id) : null);
    expect(order.conversion?.campaign.id ?? null).toBe(order.campaign?.id ?? null);
  }
});

test('unknown and malformed ids resolve to null, not an error', async () => {
  const result = await domain.request(
    'query($r: [_Any!]!) { campaign(id: "999") { id } other: campaign(id: "abc") { id } _entities(representations: $r) { ... on Order { campaign { id } conversion { id } } ... on Conversion { id } } }',
    { r: [{ __typename: 'Order', id: '99999999' }, { __typename: 'Order', id: 'x' }, { __typename: 'Conversion', id: '99999999' }] },
  );
  expect(result).toEqual({
    data: { campaign: null, other: null, _entities: [{ campaign: null, conversion: null }, { campaign: null, conversion: null }, null] },
  });
});

test('pages through campaigns with filters and a total', async () => {
  const query = 'query($filter: CampaignFilter, $after: String) { campaigns(filter: $filter, first: 7, after: $after) { totalCount edges { node { id status channel startsAt endsAt } } pageInfo { hasNextPage endCursor } } }';
  const all = await allPages(query, {}, (data) => data.campaigns);
  expect(all.nodes.map((node) => node.id)).toEqual(campaigns.map((c) => String(c.id)));
  expect(all.nodes.map((node) => node.status)).toEqual(campaigns.map(statusOf));
  expect(all.totals).toEqual([CAMPAIGN_COUNT]);

  for (const status of ['PLANNED', 'ACTIVE', 'COMPLETED']) {
    const { nodes, totals } = await allPages(query, { filter: { status } }, (data) => data.campaigns);
    expect(nodes.map((node) => node.id)).toEqual(campaigns.filter((c) => statusOf(c) === status).map((c) => String(c.id)));
    expect(totals).toEqual([nodes.length]);
  }

  const activeOn = new Date(ANCHOR - 200 * DAY_MS);
  const channel = campaigns[0].channel;
  const running = await allPages(query, { filter: { activeOn } }, (data) => data.campaigns);
  expect(running.nodes.map((node) => node.id)).toEqual(
    campaigns.filter((c) => c.startsAt <= activeOn.getTime() && activeOn.getTime() < c.endsAt).map((c) => String(c.id)),
  );
  const byChannel = await allPages(query, { filter: { channel } }, (data) => data.campaigns);
  expect(byChannel.nodes.map((node) => node.id)).toEqual(campaigns.filter((c) => c.channel === channel).map((c) => String(c.id)));
});

test('pages through a campaign\'s conversions, newest first', async () => {
  const campaignId = conversions[0].campaign_id;
  const query = 'query($id: ID!, $from: DateTime, $after: String) { campaign(id: $id) { conversions(from: $from, first: 4, after: $after) { totalCount edges { node { id convertedAt campaign { id } order { id } customer { id } attributionModel } } pageInfo { hasNextPage endCursor } } } }';
  const own = conversions.filter((c) => c.campaign_id === campaignId).sort(newestFirst);
  expect(own.length).toBeGreaterThan(4);
  const { nodes, totals } = await allPages(query, { id: String(campaignId) }, (data) => data.campaign.conversions);
  expect(nodes.map((node) => node.id)).toEqual(own.map((c) => String(c.id)));
  expect(totals).toEqual([own.length]);
  expect(nodes.every((node) => node.campaign.id === String(campaignId) && node.attributionModel === 'LAST_TOUCH')).toBe(true);
  expect(nodes.map((node) => node.order.id)).toEqual(own.map((c) => String(c.order_id)));

  const from = own[Math.floor(own.length / 2)].converted_at;
  const later = await allPages(query, { id: String(campaignId), from }, (data) => data.campaign.conversions);
  expect(later.nodes.map((node) => node.id)).toEqual(own.filter((c) => c.converted_at >= from).map((c) => String(c.id)));
});

test('conversions and counts are batched across all campaigns', async () => {
  domain.resetQueries();
  const result = await domain.request<any>(`{
    campaigns(first: 40) { edges { node { id conversionCount conversions(first: 2) { totalCount edges { node { id campaign { id } } } } } } }
  }`);
  expect(result.errors).toBeUndefined();
  // campaigns page, conversions, counts (shared by conversionCount and totalCount), the conversions' campaigns
  expect(domain.queries).toHaveLength(4);
  for (const { node } of result.data.campaigns.edges) {
    const own = conversions.filter((c) => c.campaign_id === Number(node.id)).sort(newestFirst);
    expect(node.conversionCount).toBe(own.length);
    expect(node.conversions.totalCount).toBe(own.length);
    expect(node.conversions.edges.map((e: any) => e.node.id)).toEqual(own.slice(0, 2).map((c) => String(c.id)));
  }
});

test('campaignPerformance counts agree with the conversions, in two statements', async () => {
  const from = new Date(ANCHOR - 300 * DAY_MS);
  const to = new Date(ANCHOR - 120 * DAY_MS);
  const query = 'query($from: DateTime!, $to: DateTime!) { campaignPerformance(from: $from, to: $to) { campaign { id } conversionCount conversions(first: 1000) { totalCount edges { node { order { id } } } } } }';
  domain.resetQueries();
  const result = await domain.request<any>(query, { from, to });
  expect(result.errors).toBeUndefined();
  // counts with their campaigns, then every campaign's conversions
  expect(domain.queries).toHaveLength(2);
  const rows = result.data.campaignPerformance;
  const running = campaigns.filter((c) => c.startsAt < to.getTime() && c.endsAt > from.getTime());
  expect(rows.map((row: any) => Number(row.campaign.id)).sort((a: number, b: number) => a - b)).toEqual(running.map((c) => c.id));
  const counts = rows.map((row: any) => row.conversionCount);
  expect(counts).toEqual([...counts].sort((a, b) => b - a));
  for (const row of rows) {
    const own = conversions
      .filter((c) => c.campaign_id === Number(row.campaign.id) && c.converted_at >= from && c.converted_at < to)
      .sort(newestFirst);
    expect(row.conversionCount).toBe(own.length);
    expect(row.conversions.totalCount).toBe(own.length);
    expect(row.conversions.edges.map((edge: any) => edge.node.order.id)).toEqual(own.map((c) => String(c.order_id)));
  }
  expect(rows.reduce((sum: number, row: any) => sum + row.conversionCount, 0)).toBe(
    conversions.filter((c) => c.converted_at >= from && c.converted_at < to).length,
  );

  const limited = await domain.request<any>(
    'query($from: DateTime!, $to: DateTime!) { campaignPerformance(from: $from, to: $to) { conversionCount conversions(first: 3) { edges { node { id } } } campaign { conversionCount(from: $from, to: $to) } } }',
    { from, to },
  );
  expect(limited.errors).toBeUndefined();
  for (const row of limited.data.campaignPerformance) {
    expect(row.conversions.edges).toHaveLength(Math.min(3, row.conversionCount));
    expect(row.campaign.conversionCount).toBe(row.conversionCount);
  }
  const tooMany = await domain.request('query($from: DateTime!, $to: DateTime!) { campaignPerformance(from: $from, to: $to) { conversions(first: 5000) { totalCount } } }', { from, to });
  expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});

test('campaignPerformance conversions say when they are cut off: totalCount and pageInfo, and the pages together are every conversion (issue 18)', async () => {
  const from = new Date(ANCHOR - 300 * DAY_MS);
  const to = new Date(ANCHOR - 120 * DAY_MS);
  const { data, errors } = await domain.request<any>(
    'query($from: DateTime!, $to: DateTime!) { campaignPerformance(from: $from, to: $to) { campaign { id } conversionCount conversions(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { id order { id } } } } } }',
    { from, to },
  );
  expect(errors).toBeUndefined();
  const cut = data.campaignPerformance.filter((row: any) => row.conversionCount > 2);
  expect(cut.length).toBeGreaterThan(0);
  for (const row of data.campaignPerformance) {
    expect(row.conversions.totalCount).toBe(row.conversionCount);
    expect(row.conversions.edges).toHaveLength(Math.min(2, row.conversionCount));
    expect(row.conversions.pageInfo.hasNextPage).toBe(row.conversionCount > 2);
  }
  // The first page continues in the campaign's own conversions over the same period, to the last one.
  const row = cut[0];
  const rest = await allPages(
    'query($id: ID!, $from: DateTime!, $to: DateTime!, $after: String) { campaign(id: $id) { conversions(from: $from, to: $to, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }',
    { id: row.campaign.id, from, to },
    (page) => page.campaign.conversions,
  );
  const own = conversions.filter((c) => c.campaign_id === Number(row.campaign.id) && c.converted_at >= from && c.converted_at < to).sort(newestFirst);
  expect(rest.totals).toEqual([own.length]);
  expect(rest.nodes.map((node) => node.id)).toEqual(own.map((c) => String(c.id)));
  expect(row.conversions.edges.map((edge: any) => edge.node.id)).toEqual(own.slice(0, 2).map((c) => String(c.id)));
  expect(row.conversions.edges.map((edge: any) => edge.node.order.id)).toEqual(own.slice(0, 2).map((c) => String(c.order_id)));
});

test('a forged cursor is a clear input error', async () => {
  const forged = Buffer.from(JSON.stringify(['not a time', 5])).toString('base64url');
  for (const query of [
    '{ campaigns(after: "nope") { totalCount } }',
    '{ campaign(id: "1") { conversions(after: "nope") { totalCount } } }',
    `{ campaign(id: "1") { conversions(after: "${forged}") { totalCount } } }`,
  ]) {
    const result = await domain.request(query);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toMatch(/Invalid cursor/);
  }
});
