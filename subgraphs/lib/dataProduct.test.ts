/**
 * A subgraph's data-product endpoints (issue #5): status with live freshness,
 * quality runs on demand and on a schedule, inside the subgraph against its own
 * data, and only for requests the gateway signed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { domainNamed } from '..';
import { PgliteDb } from './db';
import { DataProduct, readExamples } from './dataProduct';
import { DataProductRequestError, QUALITY_RUN_PATH, requestDataProduct, signedPayload, STATUS_PATH, type DataProductStatus } from './dataProductApi';
import { loadDescriptor } from './descriptor';
import type { QualityReport } from './quality';
import { startSubgraphServer, type RunningSubgraph } from './server';
import { signRequest, type SignedPrincipal } from './signing';
import { seedDomain } from './storage';
import { generateKeyPairSync } from 'node:crypto';
import { TEST_ANONYMOUS, TEST_GATEWAY_PUBLIC_KEY, TEST_SEED, TEST_SIGNING_KEY } from './testing';

const sales = domainNamed('sales');
const SALES_TEAM: SignedPrincipal = { id: 'sam', kind: 'user', roles: ['domain-team'], scopes: [], domains: ['sales'] };
const OUTSIDER: SignedPrincipal = { id: 'olga', kind: 'user', roles: ['analyst'], scopes: [], domains: ['finance'] };
const QUALITY_BOT: SignedPrincipal = { id: 'quality-bot', kind: 'service', roles: ['service'], scopes: ['quality:run'], domains: [] };

let db: PgliteDb;
let server: RunningSubgraph;
const request = <T>(path: typeof STATUS_PATH | typeof QUALITY_RUN_PATH, principal: SignedPrincipal = TEST_ANONYMOUS, signingKey = TEST_SIGNING_KEY) =>
  requestDataProduct<T>(server.url, path, { subgraph: 'sales', signingKey, principal, timeoutMs: 10_000 });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: DataProductRequestError) => ({ status: error.status, message: error.message }),
  );

beforeAll(async () => {
  db = new PgliteDb(await PGlite.create(), true);
  await seedDomain(db, sales, { ...TEST_SEED, log: { write: () => true } as unknown as NodeJS.WriteStream });
  server = await startSubgraphServer(sales, db, { gatewayPublicKeys: [TEST_GATEWAY_PUBLIC_KEY] });
});
afterAll(async () => {
  await server?.stop();
  await db?.close();
});

test('the status reports the descriptor and the newest record, measured now in the subgraph', async () => {
  const status = await request<DataProductStatus>(STATUS_PATH);
  const [{ latest }] = await db.query<{ latest: Date }>('SELECT max(updated_at) AS latest FROM sales.orders');
  expect(status.subgraph).toBe('sales');
  expect(status.descriptor).toMatchObject({ id: 'sales', domain: 'sales', status: 'active', owner: { team: 'Sales Domain Team' } });
  expect(status.freshness).toMatchObject({ newestRecordAt: new Date(latest).toISOString(), targetSeconds: 900, measuredOn: ['sales.orders.updated_at'] });
  const lag = (Date.parse(status.checkedAt) - new Date(latest).getTime()) / 1000;
  expect(status.freshness.lagSeconds).toBeCloseTo(lag, -1);
  expect(status.freshness.met).toBe(lag <= 900);
  // No run yet: the catalog shows "not run yet", never stale invented numbers.
  expect(status.quality).toBeNull();
});

test('a quality run on demand runs every rule of the descriptor and becomes the status', async () => {
  const report = await request<QualityReport>(QUALITY_RUN_PATH, SALES_TEAM);
  const descriptor = loadDescriptor(sales.dir);
  if (!descriptor.ok) throw new Error(descriptor.errors.join('\n'));
  expect(report.results.map((result) => result.rule)).toEqual(descriptor.descriptor.quality.rules.map((rule) => rule.name));
  expect(report.product).toBe('sales');
  expect(report.score).toBeGreaterThan(0);
  const status = await request<DataProductStatus>(STATUS_PATH);
  expect(status.quality).toEqual(report);
});

test('only the owning domain or the quality:run scope may run the rules', async () => {
  expect(await failureOf(request(QUALITY_RUN_PATH, OUTSIDER))).toEqual({ status: 403, message: expect.stringContaining('requires membership of the sales domain or the quality:run scope') });
  expect((await request<QualityReport>(QUALITY_RUN_PATH, QUALITY_BOT)).product).toBe('sales');
});

test('unsigned, forged and re-used signatures get 401; the wrong method 405', async () => {
  const statusUrl = server.url.replace('/graphql', STATUS_PATH);
  const runUrl = server.url.replace('/graphql', QUALITY_RUN_PATH);
  expect((await fetch(statusUrl)).status).toBe(401);
  expect(await failureOf(request(STATUS_PATH, TEST_ANONYMOUS, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()))).toMatchObject({ status: 401 });
  // A signature made for the status endpoint does not run the quality rules.
  const statusHeaders = signRequest({ audience: 'sales', principal: SALES_TEAM, body: signedPayload('GET', STATUS_PATH), signingKey: TEST_SIGNING_KEY });
  expect((await fetch(runUrl, { method: 'POST', headers: statusHeaders })).status).toBe(401);
  // Nor does one made for a GraphQL body.
  const body = '{"query":"{ __typename }"}';
  expect((await fetch(runUrl, { method: 'POST', headers: signRequest({ audience: 'sales', principal: SALES_TEAM, body, signingKey: TEST_SIGNING_KEY }), body })).status).toBe(401);
  const getRun = signRequest({ audience: 'sales', principal: SALES_TEAM, body: signedPayload('GET', QUALITY_RUN_PATH), signingKey: TEST_SIGNING_KEY });
  expect((await fetch(runUrl, { headers: getRun })).status).toBe(405);
});

test('the schedule runs the rules by itself and hands each report over', async () => {
  const reports: QualityReport[] = [];
  const product = DataProduct.forSubgraph(sales, db, { qualitySchedule: { intervalMs: 60_000, firstRunAfterMs: 0 }, onQualityReport: (report) => reports.push(report) })!;
  try {
    for (let i = 0; i < 100 && reports.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reports).toHaveLength(1);
    expect((await product.status()).quality).toBe(reports[0]);
    // Asking while a run is in flight joins it.
    const [a, b] = await Promise.all([product.runQuality(), product.runQuality()]);
    expect(a).toBe(b);
  } finally {
    product.stop();
  }
});

test('an injected descriptor replaces dataproduct.yaml; without freshness rules freshness is unknown and says why', async () => {
  const outcome = loadDescriptor(sales.dir);
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  const descriptor = { ...outcome.descriptor, status: 'deprecated' as const, quality: { ...outcome.descriptor.quality, rules: outcome.descriptor.quality.rules.filter((rule) => rule.type !== 'freshness') } };
  const product = DataProduct.forSubgraph(sales, db, { descriptor })!;
  const status = await product.status();
  expect(status.descriptor.status).toBe('deprecated');
  expect(status.freshness).toMatchObject({ newestRecordAt: null, met: null, problem: expect.stringContaining('no freshness rule') });
});

test('examples.graphql: each operation with the comment above it as its title', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-examples-'));
  writeFileSync(join(dir, 'examples.graphql'), '# Revenue by day\n# (cross-domain)\nquery Revenue { orders { total } }\n\nquery Untitled { order(id: "1") { id } }\n');
  expect(readExamples(dir)).toEqual([
    { title: 'Revenue by day (cross-domain)', query: 'query Revenue { orders { total } }' },
    { title: 'Untitled', query: 'query Untitled { order(id: "1") { id } }' },
  ]);
  expect(readExamples(tmpdir())).toEqual([]);
});
