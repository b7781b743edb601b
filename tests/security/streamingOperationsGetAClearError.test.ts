/**
 * Issue 17 §5: until streaming lands, a `subscription` (before: HTTP 500, from
 * authorization reading a root type the schema does not have) and `@defer` /
 * `@stream` (before: 400 "Unknown directive") get HTTP 400
 * OPERATION_NOT_SUPPORTED saying what is not supported; nothing reaches a
 * subgraph. Another operation of the same document still runs.
 */
import { startMesh, type TestMesh } from '../harness';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

test('a subscription: 400 OPERATION_NOT_SUPPORTED', async () => {
  mesh.resetReceived();
  const { status, body } = await mesh.query('subscription Orders { products(first: 1) { totalCount } }');
  expect(status).toBe(400);
  expect(body.errors).toEqual([
    {
      message: 'Subscriptions are not supported yet: the gateway does not stream responses. Send a query (polling) instead.',
      extensions: { code: 'OPERATION_NOT_SUPPORTED', operation: 'subscription' },
    },
  ]);
  expect(Object.values(mesh.subgraphs).every((subgraph) => subgraph.received.length === 0)).toBe(true);
});

test.each([
  ['defer', '{ products(first: 1) { ... @defer { totalCount } } }'],
  ['defer', '{ products(first: 1) { ...Late } } fragment Late on ProductConnection { edges { node { ... @defer(label: "x") { name } } } }'],
  ['stream', '{ products(first: 1) { edges @stream(initialCount: 1) { cursor } } }'],
])('@%s: 400 OPERATION_NOT_SUPPORTED naming the directive (%s)', async (directive, query) => {
  const { status, body } = await mesh.query(query);
  expect(status).toBe(400);
  expect(body.errors).toEqual([
    {
      message: `@${directive} is not supported yet: the gateway answers every operation in one response. Remove @${directive}; the fields then come in that response.`,
      extensions: { code: 'OPERATION_NOT_SUPPORTED', directive },
    },
  ]);
});

test('the query of a document that also holds a subscription runs', async () => {
  const response = await fetch(mesh.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query Q { products(first: 1) { totalCount } } subscription S { products(first: 1) { totalCount } }', operationName: 'Q' }),
  });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { data: { products: { totalCount: number } } }).data.products.totalCount).toBeGreaterThan(0);
});
