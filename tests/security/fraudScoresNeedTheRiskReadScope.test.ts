/**
 * Issue 19: the fraud model's scores are risk data, readable with the risk:read scope only. Tried as an
 * analyst and as a finance team member (who may list anomalous transactions, but holds no risk:read):
 * the field itself, the score through `minScore` (literal, variable, nested under a page), and every filter
 * of the transaction lists. Each gets FORBIDDEN; the subgraph is never asked for the score or given the
 * argument; the denial is audited. A principal with risk:read gets the scores.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ADMIN, ANALYST, FINANCE_TEAM } from '../principals';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
});
afterAll(() => mesh?.stop());

const sentToFinance = () => mesh.subgraphs.finance.received.map((request) => `${request.query ?? ''} ${JSON.stringify(request.variables ?? {})}`).join('\n');

test('an analyst without risk:read gets FORBIDDEN for fraudScore, the rest of the page, and the subgraph is never asked for it', async () => {
  mesh.resetReceived();
  const { body } = await mesh.query('query Scores { transactions(first: 3) { edges { node { id amount fraudScore { score modelVersion } } } } }', undefined, await tokenFor(ANALYST));
  const denials = body.errors?.filter((error) => error.extensions?.code === 'FORBIDDEN') ?? [];
  expect(denials.length).toBeGreaterThan(0);
  expect(denials[0].message).toMatch(/risk:read/);
  expect(body.data.transactions.edges).toHaveLength(3);
  for (const { node } of body.data.transactions.edges) {
    expect(node.amount).toBeGreaterThan(0);
    expect(node.fraudScore).toBeNull();
  }
  expect(sentToFinance()).toMatch(/transactions/);
  expect(sentToFinance()).not.toMatch(/fraudScore/);
  expect(await mesh.auditRecords()).toContainEqual(expect.objectContaining({ kind: 'denial', principal: expect.objectContaining({ id: ANALYST.sub }) }));
});

const minScoreCases = [
  { name: 'literal', query: 'query Oracle { anomalousTransactions(minScore: 0.9) { totalCount } }' },
  { name: 'through a variable', query: 'query Oracle($s: Float) { anomalousTransactions(minScore: $s) { totalCount } }', variables: { s: 0.9 } },
  { name: "through a variable's default", query: 'query Oracle($s: Float = 0.9) { anomalousTransactions(minScore: $s) { edges { node { id } } } }' },
];

test.each(minScoreCases)('a finance team member without risk:read cannot learn the score through minScore ($name): FORBIDDEN naming the argument, the subgraph not asked', async ({ query, variables }) => {
  mesh.resetReceived();
  const { body } = await mesh.query(query, variables, await tokenFor(FINANCE_TEAM));
  const denial = body.errors?.find((error) => error.extensions?.code === 'FORBIDDEN');
  expect(denial).toMatchObject({ path: ['anomalousTransactions'], message: expect.stringMatching(/the argument minScore reads (Transaction\.fraudScore|FraudScore\.score)/) });
  expect(body.data?.anomalousTransactions ?? null).toBeNull();
  expect(sentToFinance()).not.toMatch(/minScore|0\.9/);
});

test('the same finance member still lists the rule-based anomalies (the argument is what is denied, not the field)', async () => {
  const { body } = await mesh.query('{ anomalousTransactions(first: 2) { totalCount edges { node { anomaly { flagged } } } } }', undefined, await tokenFor(FINANCE_TEAM));
  expect(body.errors).toBeUndefined();
  expect(body.data.anomalousTransactions.totalCount).toBeGreaterThan(0);
});

test('an analyst learns nothing through minScore either: every threshold gets the same answer', async () => {
  const headers = await tokenFor(ANALYST);
  const answers = new Set<string>();
  for (const score of [0, 0.5, 0.99]) {
    const { body } = await mesh.query(`{ anomalousTransactions(minScore: ${score}) { totalCount } }`, undefined, headers);
    answers.add(JSON.stringify({ data: body.data, codes: body.errors?.map((error) => error.extensions?.code) }));
  }
  expect([...answers]).toEqual([JSON.stringify({ data: { anomalousTransactions: null }, codes: ['FORBIDDEN'] })]);
});

test('no filter of the transaction lists reads the score: the API has no such input field', async () => {
  const { body } = await mesh.query('{ __type(name: "TransactionFilter") { inputFields { name } } c: __type(name: "CustomerTransactionFilter") { inputFields { name } } s: __type(name: "TransactionSortField") { enumValues { name } } }', undefined, await tokenFor(ADMIN));
  const names = [...body.data.__type.inputFields, ...body.data.c.inputFields, ...body.data.s.enumValues].map((field: { name: string }) => field.name);
  expect(names.filter((name) => /score|fraud/i.test(name) && name !== 'flaggedOnly')).toEqual([]);
});

test('a principal with risk:read gets the scores and filters by them', async () => {
  mesh.resetReceived();
  const headers = await tokenFor(ADMIN);
  const { body } = await mesh.query(
    '{ transactions(first: 3) { edges { node { fraudScore { score modelVersion } } } } anomalousTransactions(minScore: 0.5, first: 3) { totalCount edges { node { fraudScore { score } } } } }',
    undefined,
    headers,
  );
  expect(body.errors).toBeUndefined();
  for (const { node } of body.data.transactions.edges) expect(node.fraudScore.modelVersion).toMatch(/^1\.0\.0\+/);
  expect(body.data.anomalousTransactions.totalCount).toBeGreaterThan(0);
  for (const { node } of body.data.anomalousTransactions.edges) expect(node.fraudScore.score).toBeGreaterThanOrEqual(0.5);
  expect(sentToFinance()).toMatch(/minScore/);
});

test('a subscription filtered by minScore is the score too: without risk:read it is FORBIDDEN before any stream opens', async () => {
  const { wsClient } = await import('../subscriptions/clients');
  mesh.resetReceived();
  const analyst = wsClient(mesh, await tokenFor(FINANCE_TEAM));
  const refused = await analyst
    .iterate({ query: 'subscription Watch { transactionAdded(filter: { minScore: 0.9 }) { id } }' })
    .next()
    .then(
      (result) => result.value,
      (errors) => ({ errors }),
    );
  expect(JSON.stringify(refused)).toMatch(/FORBIDDEN/);
  expect(JSON.stringify(refused)).toMatch(/minScore reads (Transaction\.fraudScore|FraudScore\.score)/);
  await analyst.dispose();
  // Decided at the gateway: finance was never asked to open the stream.
  expect(sentToFinance()).not.toMatch(/transactionAdded/);
});
