/**
 * Issue 17 §1, end to end: when the audit database cannot keep up, no
 * acknowledged denial is lost. The gateway audits to a real PostgreSQL (its
 * own database on 127.0.0.1:5432, or TEST_DATABASE_URL) with a small buffer;
 * the test locks the audit table, so every INSERT waits, and sends a burst of
 * analyst requests that each produce one denial. The buffer fills; requests
 * whose record finds no room wait (audit.maxWaitMs) and are then refused with
 * 503 AUDIT_UNAVAILABLE, carrying no data. When the lock is released, every
 * request that was answered has its record in the table, and the metric
 * counts the refusals. /health keeps answering throughout.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `meshgate_audit_flood_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(SERVER_URL), { pathname: `/${database}` }).toString();
const MAX_WAIT_MS = 1_000;

let admin: Client;
let mesh: TestMesh;
let headers: Record<string, string>;

beforeAll(async () => {
  admin = new Client({ connectionString: SERVER_URL });
  await admin.connect().catch((error) => {
    throw new Error(`PostgreSQL is required for this test at ${SERVER_URL} (set TEST_DATABASE_URL to use another): ${error.message}`);
  });
  await admin.query(`CREATE DATABASE ${database}`);
  mesh = await startMesh({ gateway: { audit: { sink: 'postgres', postgresUrl: url, maxBuffered: 10, maxBatch: 5, flushIntervalMs: 20, maxWaitMs: MAX_WAIT_MS } } });
  headers = await tokenFor(ANALYST);
}, 120_000);
afterAll(async () => {
  await mesh?.stop();
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
});

/** One denial per request (an analyst may not read Customer.name); the operation name tells the records apart. */
const deniedRequest = (name: string) =>
  fetch(mesh.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: `query ${name} { customers(first: 1) { edges { node { id name } } } }` }) }).then(async (response) => ({
    name,
    status: response.status,
    body: (await response.json()) as any,
  }));

const recordedNames = async (client: Client) =>
  new Set((await client.query<{ operation_name: string }>("SELECT operation_name FROM meshgate_audit.records WHERE kind = 'denial'")).rows.map((row) => row.operation_name));

test('a locked audit table: answered requests all get their record, the rest wait and get 503 with no data, /health keeps answering', async () => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // The table exists once the first record is written.
    expect((await deniedRequest('Warm')).status).toBe(200);
    await mesh.gateway.audit.flush();
    expect(await recordedNames(client)).toEqual(new Set(['Warm']));

    await client.query('BEGIN');
    await client.query('LOCK TABLE meshgate_audit.records IN ACCESS EXCLUSIVE MODE');
    const burst = Promise.all(Array.from({ length: 40 }, (_, i) => deniedRequest(`Flood${i}`)));
    // Hold the lock past maxWaitMs, probing /health meanwhile.
    const health = mesh.gateway.url.replace(/\/graphql$/, '/health');
    let worstHealthMs = 0;
    const holdUntil = Date.now() + MAX_WAIT_MS * 2.5;
    while (Date.now() < holdUntil) {
      const sent = performance.now();
      expect((await fetch(health)).status).toBe(200);
      worstHealthMs = Math.max(worstHealthMs, performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.query('COMMIT');
    const answers = await burst;

    const answered = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 503);
    expect(answered.length + refused.length).toBe(40);
    // The buffer (10) filled: some were refused; the buffered ones were answered.
    expect(refused.length).toBeGreaterThan(0);
    expect(answered.length).toBeGreaterThanOrEqual(5);
    for (const answer of answered) expect(answer.body.errors.map((error: any) => error.extensions.code)).toEqual(['FORBIDDEN']);
    for (const answer of refused) {
      expect(answer.body.data ?? null).toBeNull();
      expect(answer.body.errors.map((error: any) => error.extensions.code)).toEqual(['AUDIT_UNAVAILABLE']);
    }
    expect(worstHealthMs).toBeLessThan(500);

    // Every request that was answered is in the audit table.
    await mesh.gateway.audit.flush();
    const recorded = await recordedNames(client);
    expect(answered.map((answer) => answer.name).filter((name) => !recorded.has(name))).toEqual([]);
    const metrics = await (await fetch(mesh.gateway.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toMatch(new RegExp(`meshgate_audit_backpressure_total\\{outcome="refused"\\} ${refused.length}\\b`));

    // With room again, requests are answered and recorded at once.
    const after = await Promise.all(Array.from({ length: 5 }, (_, i) => deniedRequest(`After${i}`)));
    expect(after.map((answer) => answer.status)).toEqual(Array(5).fill(200));
    await mesh.gateway.audit.flush();
    const recordedAfter = await recordedNames(client);
    expect(after.filter((answer) => !recordedAfter.has(answer.name))).toEqual([]);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}, 120_000);
