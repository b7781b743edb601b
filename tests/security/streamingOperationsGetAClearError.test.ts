/**
 * Issue 17 §5: `@stream` (before: 400 "Unknown directive") gets HTTP 400
 * OPERATION_NOT_SUPPORTED saying what is not supported. Issue 15: `@defer` is
 * served as multipart/mixed; a client whose Accept header does not take it gets
 * 406 saying which header to send, before anything is fetched (Apollo Server's
 * behaviour), and a mutation with `@defer` runs once, in one payload. A
 * `subscription` is served over graphql-ws and graphql-sse; sent as a plain
 * POST for one JSON answer (before: HTTP 500, from authorization reading a
 * root type the schema did not have) it gets HTTP 400 naming the transports
 * that serve it. Nothing reaches a subgraph. Another operation of the same
 * document still runs.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ORDER_SERVICE } from '../principals';

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
  ['inline', '{ products(first: 1) { ... @defer { totalCount } } }'],
  ['in a named fragment', '{ products(first: 1) { ...Late } } fragment Late on ProductConnection { edges { cursor } ... @defer(label: "x") { totalCount } }'],
])('@defer %s without a multipart Accept header: 406 naming the header, nothing fetched', async (_, query) => {
  mesh.resetReceived();
  const { status, body } = await mesh.query(query);
  expect(status).toBe(406);
  expect(body.errors).toEqual([
    {
      message: "This operation uses @defer, so its answer comes in several parts, but the request's Accept header does not accept them. Send 'Accept: multipart/mixed; deferSpec=20220824, application/json' (Apollo Client does), or remove @defer.",
      extensions: { code: 'BAD_REQUEST' },
    },
  ]);
  expect(Object.values(mesh.subgraphs).every((subgraph) => subgraph.received.length === 0)).toBe(true);
});

test('@defer with a multipart Accept header is served', async () => {
  const response = await fetch(mesh.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824,application/json' },
    body: JSON.stringify({ query: '{ ... @defer { products(first: 1) { totalCount } } }' }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
  expect(await response.text()).toMatch(/"incremental":\[\{"data":\{"products":\{"totalCount":\d+\}\},"path":\[\]\}\],"hasNext":false/);
});

test('a mutation with @defer runs once and answers in one payload', async () => {
  const [order] = await mesh.db.query<{ id: number }>(`SELECT id FROM sales.orders WHERE status = 'PLACED' ORDER BY id LIMIT 1`);
  mesh.resetReceived();
  const response = await fetch(mesh.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824,application/json', ...(await tokenFor(ORDER_SERVICE)) },
    body: JSON.stringify({ query: `mutation { updateOrderStatus(id: "${order.id}", status: PAID) { id ... @defer { status } } }` }),
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
  expect(await response.json()).toEqual({ data: { updateOrderStatus: { id: String(order.id), status: 'PAID' } } });
  expect(mesh.subgraphs.sales.received.filter((request) => request.query?.includes('updateOrderStatus'))).toHaveLength(1);
});

test('@stream: 400 OPERATION_NOT_SUPPORTED naming the directive', async () => {
  const { status, body } = await mesh.query('{ products(first: 1) { edges @stream(initialCount: 1) { cursor } } }');
  expect(status).toBe(400);
  expect(body.errors).toEqual([
    {
      message: '@stream is not supported yet: the gateway answers every operation in one response. Remove @stream; the fields then come in that response.',
      extensions: { code: 'OPERATION_NOT_SUPPORTED', directive: 'stream' },
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
