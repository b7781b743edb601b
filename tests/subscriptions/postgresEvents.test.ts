/**
 * Issue 15 on both servers `npm start` and production use: a real PostgreSQL server (127.0.0.1:5432,
 * or TEST_DATABASE_URL) and the embedded default (PGlite behind its session server, reached over the
 * wire as the subgraph processes reach it). The triggers of events.sql publish every change with NOTIFY
 * when it commits, and a subgraph on that server streams it to a subscriber from its one LISTEN
 * connection, whichever connection wrote it.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createClient } from 'graphql-sse';
import { PgDb } from '../../subgraphs/lib/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../subgraphs/lib/embeddedPostgres';
import { startSubgraphServer, type RunningSubgraph } from '../../subgraphs/lib/server';
import { seedDomain } from '../../subgraphs/lib/storage';
import { signRequest } from '../../subgraphs/lib/signing';
import { TEST_ANONYMOUS, TEST_GATEWAY_PUBLIC_KEY, TEST_SEED, TEST_SIGNING_KEY } from '../../subgraphs/lib/testing';
import { domainNamed } from '../../subgraphs';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const quiet = { write: () => true } as unknown as NodeJS.WriteStream;

type Server = { url: string; stop(): Promise<void>; terminateListeners?(): Promise<void> };

async function postgresServer(): Promise<Server> {
  const database = `meshgate_events_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  return {
    url: Object.assign(new URL(SERVER_URL), { pathname: `/${database}` }).toString(),
    async terminateListeners() {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN%'`, [database]);
    },
    async stop() {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function embeddedServer(): Promise<Server> {
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({});
  return { url: embedded.url, stop: () => embedded.stop() };
}

describe.each([
  ['PostgreSQL', postgresServer, true],
  // The embedded session server has no backend to terminate: PGlite runs in its process.
  ['the embedded default (PGlite over its session server)', embeddedServer, false],
])('on %s', (_name, startServer, backendCanBeTerminated) => {
  let server: Server;
  let url: string;
  let db: PgDb;
  let finance: RunningSubgraph;
  beforeAll(async () => {
    server = await startServer();
    url = server.url;
    db = new PgDb(url, 2);
    for (const name of ['finance', 'logistics']) await seedDomain(db, domainNamed(name), { ...TEST_SEED, log: quiet });
    finance = await startSubgraphServer(domainNamed('finance'), db, { gatewayPublicKeys: [TEST_GATEWAY_PUBLIC_KEY] });
  }, 120_000);
  afterAll(async () => {
    await finance?.stop();
    await db?.close();
    await server?.stop();
  });

  test('an UPDATE of a shipment status is published on logistics_events when it commits, with the row', async () => {
    const got: string[] = [];
    const stop = await db.listen('logistics_events', (payload) => got.push(payload));
    const [shipment] = await db.query<{ id: number }>('SELECT id FROM logistics.shipment ORDER BY id LIMIT 1');
    await db.query(`UPDATE logistics.shipment SET status = 'LOST' WHERE id = $1`, [shipment.id]);
    await db.query(`UPDATE logistics.shipment SET status = 'LOST' WHERE id = $1`, [shipment.id]); // no change of status: nothing
    const end = Date.now() + 10_000;
    while (got.length < 1 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(got.map((payload) => JSON.parse(payload))).toEqual([{ op: 'UPDATE', table: 'shipment', row: expect.objectContaining({ id: shipment.id, status: 'LOST' }) }]);
    await stop();
  });

  test('the finance subgraph streams a transaction committed by another connection', async () => {
    const signedFetch: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...signRequest({ audience: 'finance', principal: TEST_ANONYMOUS, body: String(init?.body ?? ''), signingKey: TEST_SIGNING_KEY }) } });
    const client = createClient({ url: finance.url, fetchFn: signedFetch, retryAttempts: 0 });
    const events = client.iterate({ query: 'subscription { transactionAdded(filter: { customerId: "3" }) { id amount } }' });
    const first = events.next();
    const writer = new Client({ connectionString: url });
    await writer.connect();
    let id = 9_300_000;
    let settled = false;
    void first.finally(() => (settled = true));
    while (!settled) {
      await writer.query(`INSERT INTO finance.transactions (id, customer_id, type, amount, currency, occurred_at) VALUES ($1, 3, 'DEPOSIT', 42.5, 'EUR', now())`, [++id]);
      await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 300))]);
    }
    expect((await first).value).toEqual({ data: { transactionAdded: { id: expect.any(String), amount: 42.5 } } });
    await events.return?.();
    client.dispose();
    await writer.end();
  });

  (backendCanBeTerminated ? test : test.skip)('when the connection that LISTENs is lost, the stream ends with EVENTS_INTERRUPTED instead of a silent gap', async () => {
    const signedFetch: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...signRequest({ audience: 'finance', principal: TEST_ANONYMOUS, body: String(init?.body ?? ''), signingKey: TEST_SIGNING_KEY }) } });
    const client = createClient({ url: finance.url, fetchFn: signedFetch, retryAttempts: 0 });
    const events = client.iterate({ query: 'subscription { transactionAdded(filter: { customerId: "4" }) { id } }' });
    const first = events.next();
    let id = 9_400_000;
    let settled = false;
    void first.finally(() => (settled = true));
    while (!settled) {
      await db.query(`INSERT INTO finance.transactions (id, customer_id, type, amount, currency, occurred_at) VALUES ($1, 4, 'DEPOSIT', 1, 'EUR', now())`, [++id]);
      await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 300))]);
    }
    await server.terminateListeners!();
    const rest = [];
    for await (const event of events) rest.push(event);
    expect(rest.at(-1)).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'EVENTS_INTERRUPTED' } })] });
    client.dispose();
  });
});
