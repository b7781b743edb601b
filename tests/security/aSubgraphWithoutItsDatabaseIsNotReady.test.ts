/**
 * A subgraph whose database goes away says so (issue #17, section 4): it used
 * to answer /health 200 while failing every query, and the gateway's /ready
 * said 200 too, so a load balancer kept sending traffic nothing could serve.
 *
 * The products subgraph runs on its own database on the real PostgreSQL server
 * (127.0.0.1:5432, or TEST_DATABASE_URL); the test then refuses new connections
 * to that database and terminates the ones open (what a failover, a dead host
 * or a revoked role look like to the subgraph), and later lets it back.
 * Health probes are cached: a storm of them sends the database one `SELECT 1`.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { domainNamed } from '../../subgraphs';
import { PgDb } from '../../subgraphs/lib/db';
import { startSubgraphServer, type RunningSubgraph } from '../../subgraphs/lib/server';
import { ensureSeeded } from '../../subgraphs/lib/storage';
import { TEST_SEED } from '../../subgraphs/lib/testing';
import { startGateway, type RunningGateway } from '../../gateway/src';
import { createLogger } from '../../gateway/src/logger';
import { startMesh, testGatewayConfig, queryGateway, tokenFor, type TestMesh } from '../harness';
import { ADMIN } from '../principals';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `meshgate_health_${randomBytes(4).toString('hex')}`;
const databaseUrl = () => {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
};
const quiet = { write: () => true } as unknown as NodeJS.WriteStream;

let admin: Client;
let mesh: TestMesh;
let db: PgDb;
let products: RunningSubgraph;
let gateway: RunningGateway;
const selectOnes: string[] = [];

beforeAll(async () => {
  admin = new Client({ connectionString: SERVER_URL });
  await admin.connect().catch((error) => {
    throw new Error(`PostgreSQL is required for this test at ${SERVER_URL} (set TEST_DATABASE_URL to use another): ${error.message}`);
  });
  await admin.query(`CREATE DATABASE ${database}`);
  db = new PgDb(databaseUrl(), 4);
  await ensureSeeded(db, domainNamed('products'), { ...TEST_SEED, log: quiet });
  db.onQuery((sql) => sql === 'SELECT 1' && selectOnes.push(sql));
  // Every other domain on the harness's embedded database; products on its own PostgreSQL database.
  mesh = await startMesh();
  products = await startSubgraphServer(domainNamed('products'), db, { gatewayPublicKeys: mesh.gatewayPublicKeys, dataProduct: false });
  const subgraphs = Object.values(mesh.subgraphs).map(({ name, url }) => ({ name, url: name === 'products' ? products.url : url }));
  const { config } = testGatewayConfig(subgraphs, mesh.signingKey);
  gateway = await startGateway(config, createLogger('silent'));
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await products?.stop();
  await mesh?.stop();
  await db?.close();
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
});

const subgraphHealth = async () => {
  const response = await fetch(new URL('/health', products.url));
  return { status: response.status, body: (await response.json()) as any };
};
const gatewayReady = async () => {
  const response = await fetch(new URL('/ready', gateway.url));
  return { status: response.status, body: (await response.json()) as any };
};
/** Polls until `check` holds (health results are cached for about a second). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

const cutOffDatabase = async () => {
  await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS false`);
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
};
const restoreDatabase = () => admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS true`);

test('healthy: the subgraph checks its database, the gateway is ready', async () => {
  expect(await subgraphHealth()).toEqual({ status: 200, body: { status: 'ok', subgraph: 'products', database: 'ok' } });
  const ready = await gatewayReady();
  expect(ready.status).toBe(200);
  expect(ready.body.subgraphs.products).toBe('ok');
});

test('a storm of health probes sends the database one SELECT 1 per second at most', async () => {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  selectOnes.splice(0);
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: 100 }, () => subgraphHealth()));
  const elapsed = Date.now() - started;
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
  // One per started second of the storm (the cache lasts about a second).
  expect(selectOnes.length).toBeGreaterThanOrEqual(1);
  expect(selectOnes.length).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 1);
});

test('its database cut off: the subgraph answers /health 503 with the reason, the gateway /ready 503 naming it, /health (liveness) stays 200', async () => {
  await cutOffDatabase();
  const health = await eventually(subgraphHealth, ({ status }) => status === 503);
  expect(health.status).toBe(503);
  expect(health.body).toMatchObject({ status: 'unhealthy', subgraph: 'products', database: 'unreachable' });
  expect(health.body.reason).toMatch(/^the database is unreachable: .*not currently accepting connections/);
  expect(JSON.stringify(health.body)).not.toContain('postgres://');

  // What the 503 warns of: its fields fail.
  const { body } = await queryGateway(gateway.url, '{ products(first: 1) { totalCount } }', undefined, await tokenFor(ADMIN));
  expect(body.errors?.length).toBeGreaterThan(0);

  const ready = await gatewayReady();
  expect(ready.status).toBe(503);
  expect(ready.body.status).toBe('degraded');
  expect(ready.body.unhealthy).toEqual(['products']);
  expect(ready.body.reason).toBe('subgraph products cannot serve');
  expect(ready.body.subgraphs.products).toMatch(/^unhealthy: the database is unreachable: /);
  expect(ready.body.subgraphs.customers).toBe('ok');
  expect((await fetch(new URL('/health', gateway.url))).status).toBe(200);
}, 60_000);

test('its database back: healthy and ready again, without a restart', async () => {
  await restoreDatabase();
  expect((await eventually(subgraphHealth, ({ status }) => status === 200)).status).toBe(200);
  const ready = await eventually(gatewayReady, ({ status }) => status === 200);
  expect(ready.status).toBe(200);
  const { body } = await queryGateway(gateway.url, '{ products(first: 1) { totalCount } }', undefined, await tokenFor(ADMIN));
  expect(body.errors).toBeUndefined();
  expect(body.data.products.totalCount).toBeGreaterThan(0);
}, 60_000);
