/**
 * The PostgreSQL audit sink on a real server (127.0.0.1:5432, or
 * TEST_DATABASE_URL), in a fresh database this test creates and drops.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createLogger } from '../logger';
import { AuditLog, type AuditEntry } from './AuditLog';
import { AuditConfigSchema, createAuditLog } from './createAuditLog';
import { PostgresSink } from './PostgresSink';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `meshgate_audit_test_${randomBytes(4).toString('hex')}`;
const lateDatabase = `${database}_late`;
const urlOf = (name: string) => {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

let admin: Client;
let client: Client;

beforeAll(async () => {
  admin = new Client({ connectionString: SERVER_URL });
  await admin.connect().catch((error) => {
    throw new Error(`PostgreSQL is required for this test at ${SERVER_URL} (set TEST_DATABASE_URL to use another): ${error.message}`);
  });
  await admin.query(`CREATE DATABASE ${database}`);
  client = new Client({ connectionString: urlOf(database) });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${lateDatabase} WITH (FORCE)`);
    await admin.end();
  }
});

const entry = (n: number): AuditEntry => ({
  kind: n % 10 === 0 ? 'rejected-credentials' : 'denial',
  principal: n % 10 === 0 ? { id: 'anonymous', kind: 'anonymous' } : { id: `u-${n % 7}`, kind: 'user', email: `u${n % 7}@example.com` },
  operationName: n % 2 ? 'Revenue' : null,
  operationHash: n % 2 ? 'f'.repeat(64) : null,
  path: n % 10 === 0 ? null : ['orders', 'edges', n, 'node', 'customer', 'email'],
  rule: n % 10 === 0 ? null : 'piiNeedsScope',
  reason: n % 10 === 0 ? 'the token expired' : `needs the pii:read scope ("quoted", 'single', \\ back)`,
  client: n % 3 ? { name: 'dashboards', address: '127.0.0.1' } : {},
  requestId: `r-${n}`,
});

const quiet = () => ({ error: jest.fn(), warn: jest.fn(), info: jest.fn() });

test('1,000 concurrent records become exactly 1,000 rows with their content, in a table it creates', async () => {
  const log = createAuditLog(AuditConfigSchema.parse({ sink: 'postgres', postgresUrl: urlOf(database), flushIntervalMs: 5, maxBatch: 100 }), createLogger('silent'));
  await Promise.all(
    Array.from({ length: 40 }, async (_, task) => {
      for (let i = 0; i < 25; i++) {
        await new Promise((resolve) => (i % 4 ? setImmediate(resolve) : setTimeout(resolve, Math.random() * 3)));
        log.record(entry(task * 25 + i));
      }
    }),
  );
  await log.close();
  const { rows } = await client.query(
    `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time, kind, principal, operation_name AS "operationName",
            operation_hash AS "operationHash", path, rule, reason, client, request_id AS "requestId"
       FROM meshgate_audit.records ORDER BY id`,
  );
  expect(rows).toHaveLength(1000);
  const byId = new Map(rows.map((row) => [row.requestId, row]));
  expect(byId.size).toBe(1000);
  for (let n = 0; n < 1000; n++) expect(byId.get(`r-${n}`)).toEqual({ ...entry(n), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  const { rows: indexes } = await client.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'meshgate_audit'`);
  expect(indexes.map((index) => index.indexdef).join('\n')).toMatch(/\(("time"|time)\)/);
  const { rows: types } = await client.query(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'meshgate_audit' AND column_name IN ('principal', 'path', 'client', 'time')`,
  );
  expect(Object.fromEntries(types.map((row) => [row.column_name, row.data_type]))).toEqual({
    time: 'timestamp with time zone',
    principal: 'jsonb',
    path: 'jsonb',
    client: 'jsonb',
  });
});

test('a second gateway appends to the existing table; the time is the recorded one', async () => {
  const before = (await client.query('SELECT count(*)::int AS count FROM meshgate_audit.records')).rows[0].count;
  const logs = [0, 1].map(() => new AuditLog(new PostgresSink(urlOf(database)), quiet(), { flushIntervalMs: 5 }));
  logs[0].record({ ...entry(1), requestId: 'second-a', time: '2026-03-01T10:00:00.123Z' });
  logs[1].record({ ...entry(2), requestId: 'second-b' });
  await Promise.all(logs.map((log) => log.close()));
  const { rows } = await client.query(`SELECT request_id, time FROM meshgate_audit.records WHERE request_id LIKE 'second-%' ORDER BY request_id`);
  expect(rows.map((row) => row.request_id)).toEqual(['second-a', 'second-b']);
  expect(rows[0].time.toISOString()).toBe('2026-03-01T10:00:00.123Z');
  expect((await client.query('SELECT count(*)::int AS count FROM meshgate_audit.records')).rows[0].count).toBe(before + 2);
});

test('refusals (a route refused, a limit exceeded) are stored with their kind, rule and route', async () => {
  const log = new AuditLog(new PostgresSink(urlOf(database)), quiet(), { flushIntervalMs: 5 });
  const principal = { id: 'alice', kind: 'user', email: 'alice@example.com' };
  log.record({ kind: 'route-refused', principal, operationName: null, operationHash: null, path: null, rule: 'scope supergraph:write', reason: 'Registering a subgraph requires the scope supergraph:write', client: {}, requestId: 'refusal-route', route: 'POST /supergraph/subgraphs' });
  log.record({ kind: 'limit-exceeded', principal, operationName: 'TooDeep', operationHash: 'a'.repeat(64), path: null, rule: 'maxDepth', reason: 'Query depth 14 exceeds the limit of 10', client: {}, requestId: 'refusal-limit' });
  await log.close();
  const { rows } = await client.query(`SELECT request_id, kind, rule, route, operation_name FROM meshgate_audit.records WHERE request_id LIKE 'refusal-%' ORDER BY id`);
  expect(rows).toEqual([
    { request_id: 'refusal-route', kind: 'route-refused', rule: 'scope supergraph:write', route: 'POST /supergraph/subgraphs', operation_name: null },
    { request_id: 'refusal-limit', kind: 'limit-exceeded', rule: 'maxDepth', route: null, operation_name: 'TooDeep' },
  ]);
});

test('an MCP tool call is stored with its tool (issue 14)', async () => {
  const log = new AuditLog(new PostgresSink(urlOf(database)), quiet(), { flushIntervalMs: 5 });
  const principal = { id: 'alice', kind: 'user' };
  log.record({ kind: 'tool-call', principal, operationName: 'Revenue', operationHash: 'b'.repeat(64), path: null, rule: null, reason: 'answered', client: {}, requestId: 'tool-call', route: 'POST /mcp', tool: 'Revenue' });
  log.record({ kind: 'denial', principal, operationName: 'Revenue', operationHash: 'b'.repeat(64), path: ['a'], rule: 'global:pii', reason: 'needs pii:read', client: {}, requestId: 'tool-denial', tool: 'Revenue' });
  await log.close();
  const { rows } = await client.query(`SELECT request_id, kind, tool, route FROM meshgate_audit.records WHERE request_id LIKE 'tool-%' ORDER BY id`);
  expect(rows).toEqual([
    { request_id: 'tool-call', kind: 'tool-call', tool: 'Revenue', route: 'POST /mcp' },
    { request_id: 'tool-denial', kind: 'denial', tool: 'Revenue', route: null },
  ]);
});

test('records wait while PostgreSQL cannot be reached and are written once it can', async () => {
  // The database does not exist yet: every write fails until it is created.
  const logger = quiet();
  const log = new AuditLog(new PostgresSink(urlOf(lateDatabase)), logger, { flushIntervalMs: 5, retryDelayMs: 10, retryMaxDelayMs: 40 });
  for (let n = 0; n < 20; n++) log.record(entry(n));
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(log.written).toBe(0);
  expect(log.buffered).toBe(20);
  expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ err: expect.objectContaining({ message: expect.stringMatching(/does not exist/) }) }), expect.any(String));
  // The sink never names the URL (it may carry a password), only host and database.
  expect(logger.error.mock.calls[0][0].sink).toBe(`PostgreSQL ${new URL(SERVER_URL).host}/${lateDatabase} meshgate_audit.records`);

  await admin.query(`CREATE DATABASE ${lateDatabase}`);
  await log.close();
  const late = new Client({ connectionString: urlOf(lateDatabase) });
  await late.connect();
  try {
    const { rows } = await late.query('SELECT request_id FROM meshgate_audit.records ORDER BY id');
    expect(rows.map((row) => row.request_id)).toEqual(Array.from({ length: 20 }, (_, n) => `r-${n}`));
  } finally {
    await late.end();
  }
  expect(log.dropped).toBe(0);
});
