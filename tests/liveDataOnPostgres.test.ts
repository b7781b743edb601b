/**
 * The live generator on a real PostgreSQL server (127.0.0.1:5432, or TEST_DATABASE_URL), as `npm start`
 * runs it with DATABASE_URL: each domain's facts go through a connection of a role that may only use that
 * domain's schema (so no domain's live.ts writes another's tables), at the configured rate, and the
 * domains' triggers publish every new transaction, every flag the anomaly check sets on one, and every
 * shipment change on their LISTEN/NOTIFY channels.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PgDb } from '../subgraphs/lib/db';
import { ensureSeeded } from '../subgraphs/lib/storage';
import { startLiveData, type LiveDatabases } from '../subgraphs/lib/liveData';
import { domains } from '../subgraphs';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `meshgate_live_${randomBytes(4).toString('hex')}`;
const urlAs = (user: string) => Object.assign(new URL(SERVER_URL), { username: user, pathname: `/${database}` }).toString();
const quiet = { write: () => true } as unknown as NodeJS.WriteStream;
// The story ends now, so campaigns are running and new orders can be credited to them.
const options = { seed: 42, scale: 0.01, now: Date.now() };
const LIVE = ['sales', 'finance', 'logistics', 'marketing', 'customers'] as const;

let admin: Client;
let owner: PgDb;
let listener: Client;
const pools: PgDb[] = [];

beforeAll(async () => {
  admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  owner = new PgDb(urlAs('postgres'), 2);
  for (const domain of domains) {
    await ensureSeeded(owner, domain, { ...options, log: quiet });
    const role = `${database}_${domain.name}`;
    await owner.query(`CREATE ROLE ${role} LOGIN`);
    await owner.query(`GRANT USAGE ON SCHEMA ${domain.name} TO ${role}`);
    await owner.query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA ${domain.name} TO ${role}`);
  }
  listener = new Client({ connectionString: urlAs('postgres') });
  await listener.connect();
}, 240_000);
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  await listener?.end();
  await owner?.close();
  await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  for (const domain of domains) await admin?.query(`DROP ROLE IF EXISTS ${database}_${domain.name}`);
  await admin?.end();
});

test('each domain writes its own facts through its own role, at the rate, and the triggers publish them', async () => {
  const notified = { finance_events: 0, logistics_events: 0 };
  listener.on('notification', ({ channel }) => void (notified[channel as keyof typeof notified] += 1));
  await listener.query('LISTEN finance_events');
  await listener.query('LISTEN logistics_events');
  const byDomain = Object.fromEntries(LIVE.map((name) => [name, new PgDb(urlAs(`${database}_${name}`), 1)]));
  pools.push(...Object.values(byDomain));
  const dbs = byDomain as unknown as LiveDatabases;
  const count = async (table: string) => (await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const before = { orders: await count('sales.orders'), transactions: await count('finance.transactions'), conversions: await count('marketing.conversion') };

  const started = Date.now();
  const live = startLiveData(dbs, options, { enabled: true, ratePerSecond: 25 });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await live.stop();
  const seconds = (Date.now() - started) / 1000;

  const { stats } = live;
  expect(stats.failed).toBe(0);
  expect(stats.facts).toBeGreaterThanOrEqual(15);
  expect(stats.facts).toBeLessThanOrEqual(Math.ceil(25 * seconds) + 1);
  expect(await count('sales.orders')).toBe(before.orders + stats.orders);
  expect(await count('finance.transactions')).toBe(before.transactions + stats.transactions);
  expect(await count('marketing.conversion')).toBe(before.conversions + stats.conversions);
  // Notifications are delivered on commit; give the last ones a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 500));
  // Every booking, and every flag the anomaly check sets after it.
  expect(notified.finance_events).toBeGreaterThanOrEqual(stats.transactions + stats.anomalous + stats.flaggedLater);
  expect(notified.logistics_events).toBeGreaterThanOrEqual(stats.shipmentChanges);
}, 60_000);
