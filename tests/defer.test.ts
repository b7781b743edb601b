/**
 * @defer end to end (issue 15): a cross-domain query whose slow part (logistics, behind a proxy that
 * waits 1.5 s) is deferred arrives in two payloads of a multipart/mixed stream read by a real HTTP client,
 * the first one long before the second, and together they are the query's answer. Clients that do not
 * accept multipart get 406 before anything is fetched; @defer(if: false) and @defer below a list are
 * delivered in one payload, as the incremental-delivery proposal allows.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway, type RunningGateway } from '../gateway/src';
import { createLogger } from '../gateway/src/logger';
import { startMesh, testGatewayConfig, tokenFor, type TestMesh } from './harness';
import { postDeferred } from './deferClient';
import { ADMIN } from './principals';

const DELAY_MS = 1500;
let mesh: TestMesh;
let proxy: Server;
let gateway: RunningGateway;
let admin: Record<string, string>;
let orderId: string;

/** Forwards every request to `target` after DELAY_MS: a slow subgraph, signatures and all. */
function slowProxy(target: string): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      setTimeout(async () => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name))) as Record<string, string>;
        const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
        const answer = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      }, DELAY_MS);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  mesh = await startMesh();
  const logistics = mesh.subgraphs.logistics;
  proxy = await slowProxy(new URL(logistics.url).origin);
  const viaProxy = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${new URL(logistics.url).pathname}`;
  const subgraphs = Object.values(mesh.subgraphs).map(({ name, url }) => ({ name, url: name === 'logistics' ? viaProxy : url }));
  const { config } = testGatewayConfig(subgraphs, mesh.signingKey);
  gateway = await startGateway(config, createLogger('silent'));
  admin = await tokenFor(ADMIN);
  const [row] = await mesh.db.query<{ order_id: number }>(`SELECT order_id FROM logistics.shipment WHERE status = 'DELIVERED' ORDER BY order_id LIMIT 1`);
  orderId = String(row.order_id);
}, 240_000);
afterAll(async () => {
  await gateway?.stop();
  await new Promise((resolve) => proxy?.close(resolve));
  await mesh?.stop();
});

const DELIVERY = `query Delivery($id: ID!) { order(id: $id) { id total status ... @defer(label: "delivery") { shipment { status carrier { name } } } } }`;

test('the slow cross-domain part arrives in a second payload, long after the first; together they are the answer', async () => {
  mesh.resetReceived();
  const answer = await postDeferred(gateway.url, DELIVERY, admin, { id: orderId });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.parts.map((part) => part.body)).toEqual([
    { data: { order: { id: orderId, total: expect.any(Number), status: 'DELIVERED' } }, hasNext: true },
    { incremental: [{ data: { shipment: { status: 'DELIVERED', carrier: { name: expect.any(String) } } }, path: ['order'], label: 'delivery' }], hasNext: false },
  ]);
  // The first payload did not wait for logistics; the second did.
  expect(answer.parts[0].at - answer.startedAt).toBeLessThan(answer.parts[1].at - answer.startedAt - DELAY_MS / 2);
  expect(answer.parts[1].at - answer.startedAt).toBeGreaterThanOrEqual(DELAY_MS);
  // Only the deferred part asked logistics, once.
  expect(mesh.subgraphs.logistics.received.map((request) => request.query)).toEqual([expect.stringContaining('shipment')]);

  const whole: any = await (await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify({ query: DELIVERY.replace(/\.\.\. @defer\(label: "delivery"\) \{ (.*) \} \} \}$/, '$1 } }'), variables: { id: orderId } }) })).json();
  expect(whole.errors).toBeUndefined();
  expect({ ...answer.parts[0].body.data.order, ...answer.parts[1].body.incremental[0].data }).toEqual(whole.data.order);
}, 60_000);

test('without a multipart Accept header: 406 before anything is fetched', async () => {
  mesh.resetReceived();
  const { status, body } = await mesh.query(DELIVERY, { id: orderId }, admin);
  expect(status).toBe(406);
  expect(body.errors).toEqual([
    expect.objectContaining({ message: expect.stringContaining("Send 'Accept: multipart/mixed; deferSpec=20220824, application/json'"), extensions: { code: 'BAD_REQUEST' } }),
  ]);
  expect(Object.values(mesh.subgraphs).every((subgraph) => subgraph.received.length === 0)).toBe(true);
});

test('the whole selection deferred at the root: an empty first payload, then the data', async () => {
  const answer = await postDeferred(mesh.gateway.url, `query { ... @defer(label: "all") { order(id: "${orderId}") { id } } }`, admin);
  expect(answer.parts.map((part) => part.body)).toEqual([
    { data: {}, hasNext: true },
    { incremental: [{ data: { order: { id: orderId } }, path: [], label: 'all' }], hasNext: false },
  ]);
});

test.each([
  ['@defer(if: false)', (id: string) => `{ order(id: "${id}") { id ... @defer(if: false) { status } } }`, (id: string) => ({ order: { id, status: 'DELIVERED' } })],
  ['@defer below a list', () => `{ products(first: 2) { edges { node { id ... @defer { sku } } } } }`, () => ({ products: { edges: [{ node: { id: '1', sku: expect.any(String) } }, { node: { id: '2', sku: expect.any(String) } }] } })],
])('%s is delivered in one payload', async (_, query, data) => {
  const answer = await postDeferred(mesh.gateway.url, query(orderId), admin);
  expect(answer.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
  expect(answer.parts.map((part) => part.body)).toEqual([{ data: data(orderId) }]);
});

test('when nothing would be deferred, a client without a multipart Accept header gets the whole answer', async () => {
  const { status, body } = await mesh.query(`{ products(first: 1) { edges { node { id ... @defer { sku } } } } }`, undefined, admin);
  expect(status).toBe(200);
  expect(body).toEqual({ data: { products: { edges: [{ node: { id: '1', sku: expect.any(String) } }] } } });
});
