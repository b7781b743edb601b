/**
 * Issue 19: fraud scores are served batched (one statement for the histories and one pass of the model
 * per request, never one per row), and anomalousTransactions(minScore:) answers from the same pass.
 */
import { startDomainForTest, type DomainUnderTest } from '../../lib/testing';
import { financeSeedData } from '../seed';
import { TEST_SEED } from '../../lib/testing';
import { finance } from '..';
import { servedModel } from './model';
import { fraudScoreLoader, scoredPage } from './scoring';

let domain: DomainUnderTest;
beforeAll(async () => {
  domain = await startDomainForTest(finance);
});
afterAll(() => domain?.stop());

async function counted<T>(work: () => Promise<T>) {
  domain.resetQueries();
  const before = servedModel().passes;
  const result = await work();
  return { result, passes: servedModel().passes - before, statements: [...domain.queries] };
}

test('500 transactions on a page get their scores from one scoring pass and one more statement', async () => {
  const { result, passes, statements } = await counted(() => domain.request<any>('{ transactions(first: 500) { edges { node { id fraudScore { score modelVersion flagged } } } } }'));
  expect(result.errors).toBeUndefined();
  const nodes = result.data.transactions.edges.map((edge: any) => edge.node);
  expect(nodes).toHaveLength(500);
  expect(passes).toBe(1);
  expect(statements).toHaveLength(2);
  for (const { fraudScore } of nodes) {
    expect(fraudScore.score).toBeGreaterThanOrEqual(0);
    expect(fraudScore.score).toBeLessThanOrEqual(1);
    expect(fraudScore.modelVersion).toBe(servedModel().card.version);
    expect(fraudScore.flagged).toBe(fraudScore.score >= servedModel().card.threshold);
  }
});

test('300 transaction references from the gateway are scored in one pass too, the same as one at a time', async () => {
  const representations = Array.from({ length: 300 }, (_, i) => ({ __typename: 'Transaction', id: String(i + 1) }));
  const { result, passes } = await counted(() =>
    domain.request<any>('query($r: [_Any!]!) { _entities(representations: $r) { ... on Transaction { id fraudScore { score } } } }', { r: representations }),
  );
  expect(result.errors).toBeUndefined();
  expect(passes).toBe(1);
  const alone = await domain.request<any>('{ transaction(id: "17") { fraudScore { score } } }');
  expect(alone.data.transaction.fraudScore.score).toBe(result.data._entities[16].fraudScore.score);
});

test('anomalousTransactions(minScore:) lists the scores at or above it, newest first, pages on, and finds planted fraud', async () => {
  const query = 'query($after: String) { anomalousTransactions(minScore: 0.5, first: 5, after: $after) { totalCount edges { node { id occurredAt fraudScore { score } } } pageInfo { hasNextPage endCursor } } }';
  const nodes: any[] = [];
  let after: string | null = null;
  let totalCount = 0;
  let passes = 0;
  for (let page = 0; page < 50; page++) {
    const { result, passes: pagePasses } = await counted(() => domain.request<any>(query, { after }));
    expect(result.errors).toBeUndefined();
    passes = Math.max(passes, pagePasses);
    const connection: any = result.data.anomalousTransactions;
    totalCount = connection.totalCount;
    nodes.push(...connection.edges.map((edge: any) => edge.node));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  // The page's own fraudScore fields come from the pass that chose the page.
  expect(passes).toBe(1);
  expect(nodes).toHaveLength(totalCount);
  expect(nodes.every((node) => node.fraudScore.score >= 0.5)).toBe(true);
  const times = nodes.map((node) => node.occurredAt);
  expect(times).toEqual([...times].sort().reverse());
  const planted = new Set(financeSeedData(TEST_SEED).transactions.filter((t) => t.fraud).map((t) => String(t.id)));
  const found = nodes.filter((node) => planted.has(node.id)).length;
  expect(found / planted.size).toBeGreaterThan(0.5);
});

test('minScore over more candidates than may be scored is refused before any is scored; a narrower filter is answered', async () => {
  const loader = fraudScoreLoader(domain.db, servedModel);
  const before = servedModel().passes;
  await expect(scoredPage(domain.db, loader, null, 0.5, { first: 5 }, 1000)).rejects.toMatchObject({
    message: expect.stringMatching(/matches 2\d{3}, at most 1000 may be scored at once: narrow the filter/),
    extensions: { code: 'BAD_USER_INPUT', argumentName: 'minScore' },
  });
  expect(servedModel().passes).toBe(before);
  const narrow = await scoredPage(domain.db, loader, { types: ['WITHDRAWAL'] }, 0.5, { first: 5 }, 1000);
  expect(narrow.totalCount).toBeGreaterThan(0);
});

test('a minScore outside [0, 1] or a forged cursor is an input error', async () => {
  const bad = await domain.request<any>('{ anomalousTransactions(minScore: 2) { totalCount } }');
  expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'minScore' });
  const forged = await domain.request<any>('{ anomalousTransactions(minScore: 0.5, after: "nope") { totalCount } }');
  expect(forged.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});

test('a transaction arriving on the stream is scored as it arrives, with the served model', async () => {
  const { createClient } = await import('graphql-sse');
  const { signRequest } = await import('../../lib/signing');
  const { TEST_ANONYMOUS, TEST_SIGNING_KEY } = await import('../../lib/testing');
  const signedFetch: typeof fetch = (input, init) => {
    const body = String(init?.body ?? '');
    return fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...signRequest({ audience: 'finance', principal: TEST_ANONYMOUS, body, signingKey: TEST_SIGNING_KEY }) } });
  };
  const client = createClient({ url: domain.url, fetchFn: signedFetch, retryAttempts: 0 });
  const added = client.iterate({ query: 'subscription { transactionAdded(filter: { customerId: "9" }) { id fraudScore { score modelVersion } } }' });
  const first = added.next();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await domain.db.query(`INSERT INTO finance.transactions (id, customer_id, type, amount, currency, occurred_at, channel) VALUES (9100001, 9, 'WITHDRAWAL', 80, 'EUR', now(), 'ATM')`);
  const event: any = (await first).value;
  expect(event.data.transactionAdded).toEqual({ id: '9100001', fraudScore: { score: expect.any(Number), modelVersion: servedModel().card.version } });
  await added.return?.();
  client.dispose();
}, 60_000);
