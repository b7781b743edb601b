import { ANCHOR, countsFor, customerFacts, orderFacts } from '../lib/scenario';
import { startDomainForTest, TEST_SEED, type DomainUnderTest } from '../lib/testing';
import { CARRIERS } from './seed';
import type { ShipmentRow } from './store';
import { logistics } from '.';

let domain: DomainUnderTest;
let shipments: ShipmentRow[];
beforeAll(async () => {
  domain = await startDomainForTest(logistics);
  shipments = await domain.db.query<ShipmentRow>('SELECT * FROM logistics.shipment ORDER BY id');
});
afterAll(() => domain?.stop());

const newestFirst = (a: ShipmentRow, b: ShipmentRow) => b.shipped_at.getTime() - a.shipped_at.getTime() || b.id - a.id;

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

test('seeds one shipment per shipped order, in the zone of the order\'s customer', () => {
  const shippedOrders = Array.from({ length: countsFor(TEST_SEED.scale).orders }, (_, i) => orderFacts(TEST_SEED, i + 1))
    .filter((order) => ['SHIPPED', 'DELIVERED', 'RETURNED'].includes(order.status));
  expect(shipments.map((s) => s.order_id)).toEqual(shippedOrders.map((order) => order.id));
  shipments.forEach((shipment, i) => {
    const order = shippedOrders[i];
    expect(shipment.zone_id).toBe(customerFacts(TEST_SEED, order.customerId).zoneId);
    expect(CARRIERS[shipment.carrier_id - 1]).toBeDefined();
    expect(shipment.shipped_at.getTime()).toBeGreaterThan(order.placedAt);
    expect(shipment.promised_at.getTime()).toBeGreaterThan(shipment.shipped_at.getTime());
    if (order.status === 'SHIPPED') {
      expect(['IN_TRANSIT', 'LOST']).toContain(shipment.status);
      expect(shipment.delivered_at).toBeNull();
    } else {
      expect(shipment.status).toBe(order.status);
      expect(shipment.delivered_at!.getTime()).toBeLessThanOrEqual(ANCHOR);
      expect(shipment.late).toBe(shipment.delivered_at! > shipment.promised_at);
    }
  });
  const lateShare = shipments.filter((s) => s.late).length / shipments.length;
  expect(lateShare).toBeGreaterThan(0.04);
  expect(lateShare).toBeLessThan(0.25);
});

test('resolves 100 Order references with one SQL statement per entity type', async () => {
  const representations = Array.from({ length: 100 }, (_, i) => ({ __typename: 'Order', id: String(i + 1) }));
  domain.resetQueries();
  const result = await domain.request<{ _entities: { id: string; shipment: { id: string; carrier: { name: string }; zone: { name: string } } | null }[] }>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id shipment { id status late carrier { name } zone { name } } } } }',
    { r: representations },
  );
  expect(result.errors).toBeUndefined();
  // shipments, carriers, zones
  expect(domain.queries).toHaveLength(3);
  const entities = result.data!._entities;
  expect(entities.map((order) => order.id)).toEqual(representations.map((r) => r.id));
  const expected = new Map(shipments.filter((s) => s.order_id <= 100).map((s) => [String(s.order_id), String(s.id)]));
  expect(entities.filter((order) => order.shipment).length).toBe(expected.size);
  for (const order of entities) expect(order.shipment?.id ?? null).toBe(expected.get(order.id) ?? null);
});

test('unknown and malformed ids resolve to null, not an error', async () => {
  const result = await domain.request(
    'query($r: [_Any!]!) { shipment(id: "999999") { id } other: shipment(id: "abc") { id } _entities(representations: $r) { ... on Order { shipment { id } } ... on DeliveryZone { name } } }',
    { r: [{ __typename: 'Order', id: '99999999' }, { __typename: 'Order', id: 'x' }, { __typename: 'DeliveryZone', id: '99' }] },
  );
  expect(result).toEqual({ data: { shipment: null, other: null, _entities: [{ shipment: null }, { shipment: null }, null] } });
});

test('lateDeliveries serves every late shipment once, newest first, across pages', async () => {
  const query = 'query($after: String) { lateDeliveries(first: 25, after: $after) { totalCount edges { node { id late shippedAt } } pageInfo { hasNextPage endCursor } } }';
  const { nodes, totals } = await allPages(query, {}, (data) => data.lateDeliveries);
  const expected = shipments.filter((s) => s.late).sort(newestFirst);
  expect(nodes.map((node) => node.id)).toEqual(expected.map((s) => String(s.id)));
  expect(nodes.every((node) => node.late)).toBe(true);
  expect(totals).toEqual([expected.length]);
});

test('lateDeliveries filters by zone, carrier and period', async () => {
  const zoneId = shipments.find((s) => s.late)!.zone_id;
  const from = new Date(ANCHOR - 500 * 86_400_000);
  const to = new Date(ANCHOR - 30 * 86_400_000);
  const query = `query($filter: LateDeliveryFilter, $after: String) {
    lateDeliveries(filter: $filter, first: 2, after: $after) {
      totalCount edges { node { id late shippedAt zone { id } carrier { id } } } pageInfo { hasNextPage endCursor }
    }
  }`;
  const inPeriod = (s: ShipmentRow) => s.late && s.shipped_at >= from && s.shipped_at < to;

  const byZone = await allPages(query, { filter: { zoneId, from, to } }, (data) => data.lateDeliveries);
  const expectedByZone = shipments.filter((s) => inPeriod(s) && s.zone_id === zoneId).sort(newestFirst);
  expect(expectedByZone.length).toBeGreaterThan(2);
  expect(byZone.nodes.map((node) => node.id)).toEqual(expectedByZone.map((s) => String(s.id)));
  expect(byZone.nodes.every((node) => node.zone.id === String(zoneId))).toBe(true);
  expect(byZone.totals).toEqual([expectedByZone.length]);

  const carrierId = expectedByZone[0].carrier_id;
  const byCarrier = await allPages(query, { filter: { carrierId, from } }, (data) => data.lateDeliveries);
  const expectedByCarrier = shipments.filter((s) => s.late && s.shipped_at >= from && s.carrier_id === carrierId).sort(newestFirst);
  expect(byCarrier.nodes.map((node) => node.id)).toEqual(expectedByCarrier.map((s) => String(s.id)));

  const none = await domain.request<any>('{ lateDeliveries(filter: { zoneId: "abc" }) { totalCount edges { cursor } } }');
  expect(none.data.lateDeliveries).toEqual({ totalCount: 0, edges: [] });
});

test('deliveryPerformance counts agree with the shipments, most late first, in one statement', async () => {
  const from = new Date(ANCHOR - 365 * 86_400_000);
  const ranges: { from?: Date; to?: Date }[] = [{}, { from, to: new Date(ANCHOR) }];
  for (const range of ranges) {
    domain.resetQueries();
    const result = await domain.request<any>(
      'query($from: DateTime, $to: DateTime) { deliveryPerformance(from: $from, to: $to) { zone { id } shipments delivered late onTimeRate averageDelayHours } }',
      range,
    );
    expect(result.errors).toBeUndefined();
    expect(domain.queries).toHaveLength(1);
    const rows = result.data.deliveryPerformance;
    expect(rows).toHaveLength(24);
    const lates = rows.map((row: any) => row.late);
    expect(lates).toEqual([...lates].sort((a, b) => b - a));
    for (const row of rows) {
      const inZone = shipments.filter(
        (s) => s.zone_id === Number(row.zone.id) && (!range.from || (s.shipped_at >= range.from && s.shipped_at < range.to!)),
      );
      const late = inZone.filter((s) => s.late);
      const delays = late.filter((s) => s.delivered_at).map((s) => (s.delivered_at!.getTime() - s.promised_at.getTime()) / 3_600_000);
      expect(row.shipments).toBe(inZone.length);
      expect(row.delivered).toBe(inZone.filter((s) => s.delivered_at).length);
      expect(row.late).toBe(late.length);
      expect(row.onTimeRate).toBeCloseTo(inZone.length ? 1 - late.length / inZone.length : 1, 10);
      if (delays.length) expect(row.averageDelayHours).toBeCloseTo(delays.reduce((a, b) => a + b, 0) / delays.length, 1);
      else expect(row.averageDelayHours).toBeNull();
    }
  }
});

test('zone fields and carrier rates are batched across all zones and carriers', async () => {
  domain.resetQueries();
  const result = await domain.request<any>(`{
    zones { id performance { late } lateShipments(first: 2) { totalCount edges { node { id late zone { id } } } } }
    carriers { id onTimeRate }
  }`);
  expect(result.errors).toBeUndefined();
  // zones, performance, late shipments, their counts, their zones, carriers, carrier rates
  expect(domain.queries).toHaveLength(7);
  for (const zone of result.data.zones) {
    const late = shipments.filter((s) => s.late && s.zone_id === Number(zone.id)).sort(newestFirst);
    expect(zone.performance.late).toBe(late.length);
    expect(zone.lateShipments.totalCount).toBe(late.length);
    expect(zone.lateShipments.edges.map((e: any) => e.node.id)).toEqual(late.slice(0, 2).map((s) => String(s.id)));
    expect(zone.lateShipments.edges.every((e: any) => e.node.zone.id === zone.id)).toBe(true);
  }
  expect(result.data.carriers).toHaveLength(6);
  for (const carrier of result.data.carriers) {
    const own = shipments.filter((s) => s.carrier_id === Number(carrier.id));
    expect(carrier.onTimeRate).toBeCloseTo(1 - own.filter((s) => s.late).length / own.length, 10);
  }
});

test('a zone\'s late shipments page on with their cursors', async () => {
  const zoneId = shipments.find((s) => s.late)!.zone_id;
  const query = 'query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on DeliveryZone { lateShipments(first: 3, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } } }';
  const { nodes, totals } = await allPages(query, { r: [{ __typename: 'DeliveryZone', id: String(zoneId) }] }, (data) => data._entities[0].lateShipments);
  const expected = shipments.filter((s) => s.late && s.zone_id === zoneId).sort(newestFirst);
  expect(nodes.map((node) => node.id)).toEqual(expected.map((s) => String(s.id)));
  expect(totals).toEqual([expected.length]);
});

test('a forged cursor is a clear input error', async () => {
  const forged = Buffer.from(JSON.stringify(['not a time', 5])).toString('base64url');
  for (const after of ['nope', forged]) {
    const result = await domain.request('query($after: String) { lateDeliveries(after: $after) { totalCount } zones { lateShipments(after: $after) { totalCount } } }', { after });
    expect(result.errors?.length).toBeGreaterThan(0);
    for (const error of result.errors!) {
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(/Invalid cursor/);
    }
  }
});
