/**
 * Bad input gets a clear error and the gateway keeps serving: malformed
 * requests, oversized bodies, subgraphs that are down, slow or failing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../gateway/src/config';
import { developmentJwtConfig } from '../gateway/src/identity/config';
import { startGateway, type RunningGateway } from '../gateway/src';
import { createLogger } from '../gateway/src/logger';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN } from './principals';

let mesh: TestMesh;
let admin: Record<string, string>;
beforeAll(async () => {
  admin = await tokenFor(ADMIN);
  mesh = await startMesh({ gateway: { server: { port: 0, bodyLimitBytes: 4096 } } });
});
afterAll(() => mesh?.stop());

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(mesh.gateway.url, { method: 'POST', headers, body }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));

test('a query with a syntax error gets 400 with a GraphQL parse error', async () => {
  const { status, body } = await mesh.query('{ orders(first: 2) { edges { node { id } }');
  expect(status).toBe(400);
  expect(body.errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
});

test('a query for a field that does not exist gets 400 naming the field', async () => {
  const { status, body } = await mesh.query('{ orders { nope } }');
  expect(status).toBe(400);
  expect(body.errors![0]).toMatchObject({ message: 'Cannot query field "nope" on type "OrderConnection".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
});

test('a body that is not JSON gets 400, a missing query gets 400', async () => {
  const broken = await post('{"query": ');
  expect(broken.status).toBe(400);
  expect(broken.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  expect(broken.body.errors[0].message).toMatch(/not valid JSON/);
  const empty = await post('{}');
  expect(empty.status).toBe(400);
});

test('a variable of the wrong type gets 400 naming the variable', async () => {
  const { status, body } = await mesh.query('query($id: ID!) { order(id: $id) { id } }', { id: { nested: true } });
  expect(status).toBe(400);
  expect(body.errors![0].message).toMatch(/\$id/);
});

test('a body over the limit gets 413 before it is parsed', async () => {
  const { status, body } = await post(JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(10_000) }));
  expect(status).toBe(413);
  expect(body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
});

test('an unknown route gets 404 pointing at the GraphQL endpoint', async () => {
  const response = await fetch(new URL('/nope', mesh.gateway.url));
  expect(response.status).toBe(404);
  expect(((await response.json()) as any).errors[0].message).toMatch(/GraphQL is served at \/graphql/);
});

test('health is ok; ready lists every subgraph', async () => {
  const health = await fetch(new URL('/health', mesh.gateway.url));
  expect(health.status).toBe(200);
  const ready = await fetch(new URL('/ready', mesh.gateway.url));
  expect(ready.status).toBe(200);
  // The domains, and the gateway's own catalog subgraph.
  expect(((await ready.json()) as any).subgraphs).toEqual({ customers: 'ok', products: 'ok', sales: 'ok', marketing: 'ok', finance: 'ok', logistics: 'ok', catalog: 'ok' });
});

describe('a subgraph that stops mid-test', () => {
  test('gives the other domains their data, null for its fields and an error naming it; ready turns 503', async () => {
    const query = '{ orders(first: 5) { edges { node { id total customer { name } payment { amount } } } } }';
    const before = await mesh.query(query, undefined, admin);
    expect(before.body.errors).toBeUndefined();
    await mesh.subgraphs.finance.stop();

    const { status, body } = await mesh.query(query, undefined, admin);
    expect(status).toBe(200);
    const nodes = body.data.orders.edges.map((edge: any) => edge.node);
    expect(nodes.map((node: any) => node.customer.name)).toEqual(before.body.data.orders.edges.map((edge: any) => edge.node.customer.name));
    expect(nodes.every((node: any) => node.payment === null)).toBe(true);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].message).toMatch(/^Subgraph "finance" is unavailable: ECONNREFUSED/);
    expect(body.errors![0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'finance' });

    const ready = await fetch(new URL('/ready', mesh.gateway.url));
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as any).subgraphs.finance).toBe('ECONNREFUSED');
    expect((await fetch(new URL('/health', mesh.gateway.url))).status).toBe(200);
  });
});

describe('slow and failing subgraphs', () => {
  let misbehaving: Server;
  let gateway: RunningGateway;
  const seen = { failing: [] as string[] };

  beforeAll(async () => {
    // One server plays two broken subgraphs: /slow never answers, /failing answers 503 and counts what it got.
    misbehaving = createServer((req, res) => {
      if (req.url === '/slow') return;
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.failing.push(JSON.parse(body).query);
        res.writeHead(503).end('down for maintenance');
      });
    });
    await new Promise<void>((resolve) => misbehaving.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(misbehaving.address() as AddressInfo).port}`;
    const config = parseConfig({
      server: { port: 0 },
      logging: { level: 'silent' },
      subgraphRequests: { timeoutMs: 300, retries: 2, retryDelayMs: 10, signingKey: mesh.signingKey },
      // Four of the six subgraphs: the mesh's policies would not fit this graph.
      authorization: { policies: 'permissive' },
      identity: { jwt: developmentJwtConfig({}) },
      audit: { file: mesh.auditFile },
      subgraphs: [
        { name: 'customers', url: mesh.subgraphs.customers.url },
        { name: 'products', url: mesh.subgraphs.products.url },
        { name: 'sales', url: `${base}/failing` },
        { name: 'logistics', url: `${base}/slow` },
      ],
    });
    gateway = await startGateway(config, createLogger('silent'));
  });
  afterAll(async () => {
    await gateway?.stop();
    misbehaving?.closeAllConnections();
    await new Promise((resolve) => misbehaving?.close(resolve));
  });

  const ask = (query: string) =>
    fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify({ query }) }).then((r) => r.json() as any);

  test('a subgraph that does not answer in time gives SUBGRAPH_TIMEOUT while the others answer', async () => {
    const started = Date.now();
    const body = await ask('{ customer(id: "1") { name } shipment(id: "1") { status } }');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(body.data).toEqual({ customer: { name: expect.any(String) }, shipment: null });
    expect(body.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_TIMEOUT', subgraph: 'logistics' });
  });

  test('queries are retried after a 503, mutations are not', async () => {
    seen.failing.splice(0);
    const query = await ask('{ order(id: "1") { id } }');
    expect(query.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'sales' });
    expect(seen.failing).toHaveLength(3);

    seen.failing.splice(0);
    const mutation = await ask('mutation { updateOrderStatus(id: "1", status: PAID) { id } }');
    expect(mutation.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'sales' });
    expect(seen.failing).toHaveLength(1);
    expect(seen.failing[0]).toMatch(/^mutation/);
  });
});
