/**
 * Live supergraph updates under load (issue #5). The logistics subgraph sits
 * behind a stable address (a proxy, as a load balancer in front of a rolling
 * deployment) and is replaced while clients keep querying:
 *
 * 1. by a version with a new field: the gateway's poll sees the new schema and
 *    the field becomes queryable within a few poll intervals;
 * 2. by a version that does not compose: refused, logged with the composition
 *    errors, and the last good supergraph keeps serving;
 * 3. by a version whose descriptor deprecates the product: the lifecycle applies
 *    on the live path too.
 *
 * Throughout, not one request fails. Subgraphs are also registered at a new
 * address (blue/green) and added through the authenticated registration endpoint.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import pino from 'pino';
import { domainNamed } from '../subgraphs';
import { loadDescriptor } from '../subgraphs/lib/descriptor';
import { startSubgraphServer, type RunningSubgraph } from '../subgraphs/lib/server';
import type { SubgraphDefinition } from '../subgraphs/lib/subgraph';
import { startMesh, tokenFor, type GraphQLBody, type TestMesh } from './harness';
import { ANALYST } from './principals';

const POLL_MS = 200;

type Proxy = { url: string; target: string; stop(): Promise<void> };

/** Forwards every request to `proxy.target`, which the test changes to swap the server behind a stable URL. */
async function startProxy(target: string): Promise<Proxy> {
  const server: Server = createServer((req, res) => {
    const to = new URL(proxy.target);
    const upstream = httpRequest({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: Proxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    target,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return proxy;
}

const logistics = domainNamed('logistics');

/** Logistics with extra schema (and resolvers for it). */
function logisticsWith(extraSdl: string, queryResolvers: Record<string, () => unknown> = {}): SubgraphDefinition<any> {
  const resolvers = logistics.resolvers as Record<string, any>;
  return {
    ...logistics,
    typeDefs: { ...logistics.typeDefs, definitions: [...logistics.typeDefs.definitions, ...parse(extraSdl).definitions] },
    resolvers: { ...resolvers, Query: { ...resolvers.Query, ...queryResolvers } },
  };
}

const V2 = logisticsWith('extend type Query { "How many carriers deliver for us." carrierCount: Int }', { carrierCount: () => 42 });
// Order.total is sales' (a Float); declaring it again, as a String, cannot compose.
const BROKEN = logisticsWith('extend type Query { "How many carriers deliver for us." carrierCount: Int } extend type Order { "Conflicts with sales." total: String }', { carrierCount: () => 42 });

const LOAD_QUERY = '{ carriers { id name } orders(first: 2) { edges { node { id total shipment { status } } } } }';

let mesh: TestMesh;
let proxy: Proxy;
const logs: Record<string, any>[] = [];
const started: RunningSubgraph[] = [];
let headers: Record<string, string>;

beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  mesh = await startMesh({
    logger,
    // Every request goes to the subgraphs: no cache can hide a failure.
    gateway: { supergraph: { pollIntervalMs: POLL_MS }, cache: { responseCache: { enabled: false }, entityCache: { enabled: false }, dedupe: { enabled: false } } },
  });
  headers = await tokenFor(ANALYST);
});
afterAll(async () => {
  await mesh?.stop();
  await proxy?.stop();
  for (const server of started) await server.stop();
});

const start = async (definition: SubgraphDefinition<any>, options: Parameters<typeof startSubgraphServer>[2] = {}) => {
  const server = await startSubgraphServer(definition, mesh.db, { gatewayPublicKeys: mesh.gatewayPublicKeys, ...options });
  started.push(server);
  return server;
};

const register = async (name: string, url: string, scopes = ['supergraph:write']) => {
  const response = await fetch(new URL('/supergraph/subgraphs', mesh.gateway.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await tokenFor({ sub: 'deployer', service: true, roles: ['service'], scopes })) },
    body: JSON.stringify({ name, url }),
  });
  return { status: response.status, body: (await response.json()) as any };
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<{ value: T; elapsedMs: number }> {
  const startedAt = Date.now();
  while (Date.now() - startedAt < timeoutMs) {
    const value = await probe();
    if (value !== undefined) return { value, elapsedMs: Date.now() - startedAt };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('subgraphs change under load: new fields appear, a change that does not compose is refused, and no request fails', async () => {
  // Blue/green: the proxy in front of the current logistics server becomes logistics' address.
  proxy = await startProxy(mesh.subgraphs.logistics.url);
  expect(await register('logistics', proxy.url)).toEqual({ status: 200, body: { outcome: 'updated', changed: ['logistics'] } });

  let running = true;
  let succeeded = 0;
  const failures: { status: number; body: GraphQLBody }[] = [];
  const worker = async () => {
    while (running) {
      const result = await mesh.query(LOAD_QUERY, undefined, headers).catch((error): { status: number; body: GraphQLBody } => ({ status: 0, body: { errors: [{ message: String(error) }] } }));
      if (result.status === 200 && !result.body.errors && result.body.data?.carriers?.length) succeeded++;
      else failures.push(result);
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  // Successful requests at each step: the load keeps being served through every change.
  const served: number[] = [];
  const step = async () => {
    const before = succeeded;
    await until('requests to be served', async () => (succeeded > before ? true : undefined));
    served.push(succeeded);
  };
  try {
    await step();
    // 1. A new field: queryable within a few poll intervals of the new version taking over.
    expect((await mesh.query('{ carrierCount }', undefined, headers)).status).toBe(400);
    proxy.target = (await start(V2)).url;
    const appeared = await until('carrierCount', async () => {
      const { body } = await mesh.query('{ carrierCount }', undefined, headers);
      return body.data?.carrierCount ?? undefined;
    });
    expect(appeared.value).toBe(42);
    // One poll interval, plus one composition (about half a second here; more on a busy machine).
    expect(appeared.elapsedMs).toBeLessThan(POLL_MS + 5000);
    await step();

    // 2. A change that does not compose: refused and logged; the last good supergraph keeps serving.
    const before = mesh.gateway.supergraph!.current.supergraphSdl;
    proxy.target = (await start(BROKEN)).url;
    const refusal = await until('the refusal to be logged', async () => logs.find((line) => line.msg?.startsWith('supergraph update refused: the subgraphs do not compose')));
    expect(refusal.value).toMatchObject({ level: 50, changed: ['logistics'], errors: expect.arrayContaining([expect.stringContaining('INVALID_FIELD_SHARING')]) });
    expect(refusal.value.errors.join('\n')).toContain('Order.total');
    expect(mesh.gateway.supergraph!.lastRefusal!.errors).toEqual(refusal.value.errors);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 3));
    expect(mesh.gateway.supergraph!.current.supergraphSdl).toBe(before);
    // Logged once per distinct change, not at every poll.
    expect(logs.filter((line) => line.msg?.startsWith('supergraph update refused: the subgraphs do not compose'))).toHaveLength(1);
    const still = await mesh.query('{ carrierCount orders(first: 1) { edges { node { total } } } }', undefined, headers);
    expect(still.body.errors).toBeUndefined();
    expect(typeof still.body.data.orders.edges[0].node.total).toBe('number');
    await step();

    // 3. The product is deprecated by its next version: the lifecycle applies on the live path.
    const descriptor = loadDescriptor(logistics.dir);
    if (!descriptor.ok) throw new Error(descriptor.errors.join('\n'));
    proxy.target = (await start(V2, { dataProduct: { descriptor: { ...descriptor.descriptor, status: 'deprecated', deprecation: { reason: 'moving to the carrier platform' } } } })).url;
    const warned = await until('the deprecation warning', async () => {
      const { body } = await mesh.query('{ carriers { name } }', undefined, headers);
      return body.extensions?.warnings;
    });
    expect(warned.value).toEqual([expect.objectContaining({ code: 'DEPRECATED_DATA_PRODUCT', product: 'logistics', fields: ['Carrier.name', 'Query.carriers'] })]);
    await step();
  } finally {
    running = false;
    await Promise.all(workers);
  }
  expect(failures).toEqual([]);
  expect(served).toHaveLength(4);
});

test('registering a subgraph: a new one is added; one that does not compose, or cannot be reached, is refused with the reasons', async () => {
  const giftCards: SubgraphDefinition<any> = {
    name: 'gift_cards',
    dir: __dirname,
    typeDefs: parse('type Query { "Gift cards sold so far." giftCardCount: Int }'),
    resolvers: { Query: { giftCardCount: () => 7 } },
    createLoaders: () => ({}),
    seed: async () => undefined,
  };
  const server = await start(giftCards, { dataProduct: false });
  expect((await register('gift_cards', server.url, [])).status).toBe(403);
  expect(await register('gift_cards', server.url)).toEqual({ status: 200, body: { outcome: 'updated', changed: ['gift_cards'] } });
  expect((await mesh.query('{ giftCardCount }', undefined, headers)).body.data).toEqual({ giftCardCount: 7 });

  const broken = await start({ ...giftCards, typeDefs: parse('type Query { "Conflicts with customers." customer(id: ID!): String }') }, { dataProduct: false });
  const refused = await register('gift_cards', broken.url);
  expect(refused.status).toBe(409);
  expect(refused.body.errors[0].extensions).toMatchObject({ code: 'COMPOSITION_FAILED', compositionErrors: expect.arrayContaining([expect.stringContaining('Query.customer')]) });
  expect((await register('gift_cards', 'http://127.0.0.1:1/graphql')).status).toBe(409);
  // Nothing changed: the first version still serves.
  expect((await mesh.query('{ giftCardCount }', undefined, headers)).body.data).toEqual({ giftCardCount: 7 });
});
