/**
 * Issue 17 §5: `@defer` / `@stream` (before: 400 "Unknown directive") get
 * HTTP 400 OPERATION_NOT_SUPPORTED saying what is not supported. Issue 15: a
 * `subscription` is served over graphql-ws and graphql-sse; sent as a plain
 * POST for one JSON answer (before: HTTP 500, from authorization reading a
 * root type the schema did not have) it gets HTTP 400 naming the transports
 * that serve it. Nothing reaches a subgraph. Another operation of the same
 * document still runs.
 */
import { startMesh, type TestMesh } from '../harness';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

test('a subscription as a plain POST: 400 OPERATION_NOT_SUPPORTED naming the streaming transports', async () => {
  mesh.resetReceived();
  const { status, body } = await mesh.query('subscription Added { transactionAdded { id } }');
  expect(status).toBe(400);
  expect(body.errors).toEqual([
    {
      message: 'A subscription needs a streaming transport: GraphQL over WebSocket (graphql-ws, protocol graphql-transport-ws) or a POST with "Accept: text/event-stream" (graphql-sse) to /graphql, not a single JSON response.',
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
    body: JSON.stringify({ query: 'query Q { products(first: 1) { totalCount } } subscription S { transactionAdded { id } }', operationName: 'Q' }),
  });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { data: { products: { totalCount: number } } }).data.products.totalCount).toBeGreaterThan(0);
});
