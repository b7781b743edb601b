/**
 * The live generator (issue 15) against a real database behind a running mesh: it adds orders, payments,
 * transactions (some flagged by the anomaly rules) and shipment changes at the configured rate, the new rows
 * are served through the gateway, and off means off.
 */
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN } from './principals';
import { liveDataConfigFrom, startLiveData } from '../subgraphs/lib/liveData';
import { TEST_SEED } from '../subgraphs/lib/testing';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 240_000);
afterAll(() => mesh?.stop());

const counts = async () => {
  const [row] = await mesh.db.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM sales.orders) AS orders, (SELECT count(*) FROM finance.payments) AS payments,
            (SELECT count(*) FROM finance.transactions) AS transactions, (SELECT count(*) FROM marketing.conversion) AS conversions,
            (SELECT count(*) FROM logistics.shipment WHERE updated_at > now() - interval '1 hour') AS recent_shipment_changes`,
  );
  return row;
};
const dbs = () => ({ sales: mesh.db, finance: mesh.db, logistics: mesh.db, marketing: mesh.db, customers: mesh.db });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('adds facts at the configured rate, each one a row in its domain, and the new order is served through the gateway', async () => {
  const before = await counts();
  const lines: string[] = [];
  const started = Date.now();
  const live = startLiveData(dbs(), TEST_SEED, { enabled: true, ratePerSecond: 20 }, (line) => lines.push(line), 1000);
  await sleep(3000);
  await live.stop();
  const seconds = (Date.now() - started) / 1000;
  const after = await counts();
  const { stats } = live;
  // Never faster than the rate; on a loaded machine slower is allowed, but not by an order of magnitude.
  expect(stats.facts + stats.failed).toBeLessThanOrEqual(Math.ceil(20 * seconds) + 1);
  expect(stats.facts).toBeGreaterThanOrEqual(10);
  expect(stats.failed).toBe(0);
  expect(after.orders - before.orders).toBe(stats.orders);
  expect(after.payments - before.payments).toBe(stats.payments);
  expect(after.transactions - before.transactions).toBe(stats.transactions);
  expect(after.conversions - before.conversions).toBe(stats.conversions);
  expect(stats.orders).toBeGreaterThan(0);
  expect(lines[0]).toMatch(/live data: on, 20 facts per second/);
  expect(lines.some((line) => /live data: \+\d+ orders/.test(line))).toBe(true);
  expect(lines.at(-1)).toMatch(/live data: stopped after/);
  // Nothing is written after stop().
  await sleep(300);
  expect(await counts()).toEqual(after);

  const [newest] = await mesh.db.query<{ id: number; total: number }>(`SELECT id, total FROM sales.orders ORDER BY id DESC LIMIT 1`);
  const { body } = await mesh.query(`{ order(id: "${newest.id}") { id total status payment { status amount } } }`, undefined, await tokenFor(ADMIN));
  expect(body.errors).toBeUndefined();
  expect(body.data.order).toMatchObject({ id: String(newest.id), total: newest.total, payment: { status: 'CAPTURED', amount: newest.total } });
  expect(['PAID', 'SHIPPED', 'DELIVERED']).toContain(body.data.order.status);
}, 60_000);

test('anomalous activity is flagged by the anomaly rules', async () => {
  const live = startLiveData(dbs(), TEST_SEED, { enabled: true, ratePerSecond: 50 });
  const deadline = Date.now() + 20_000;
  while (live.stats.anomalous === 0 && Date.now() < deadline) await sleep(100);
  await live.stop();
  expect(live.stats.anomalous).toBeGreaterThan(0);
  const [flagged] = await mesh.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM finance.transactions WHERE rule_flagged AND occurred_at > now() - interval '1 minute'`);
  expect(flagged.n).toBeGreaterThan(0);
  // Labeled as fraud too: the fraud model's quality rules measure it on ground truth that includes the live data.
  const [labeled] = await mesh.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM finance.fraud_labels l JOIN finance.transactions t ON t.id = l.transaction_id WHERE l.pattern = 'live-large-withdrawal' AND t.occurred_at > now() - interval '1 minute'`,
  );
  expect(labeled.n).toBeGreaterThan(0);
}, 60_000);

test('off means off: no timer, no rows', async () => {
  const config = liveDataConfigFrom({ MESHGATE_LIVE_DATA: 'off' });
  expect(config.enabled).toBe(false);
  const before = await counts();
  const live = startLiveData(dbs(), TEST_SEED, config);
  await sleep(1000);
  await live.stop();
  expect(live.stats.facts).toBe(0);
  expect(await counts()).toEqual(before);
});

test('config: on by default, flags win, bad values name the key, the expectation and the value', () => {
  expect(liveDataConfigFrom({})).toEqual({ enabled: true, ratePerSecond: 2 });
  expect(liveDataConfigFrom({ MESHGATE_LIVE_DATA: 'off' }, { enabled: true, rate: '5' })).toEqual({ enabled: true, ratePerSecond: 5 });
  expect(() => liveDataConfigFrom({ MESHGATE_LIVE_DATA: 'sometimes' })).toThrow('MESHGATE_LIVE_DATA must be on or off, got "sometimes"');
  expect(() => liveDataConfigFrom({ MESHGATE_LIVE_DATA_RATE: '0' })).toThrow(/MESHGATE_LIVE_DATA_RATE\) must be a number of facts per second in \(0, 1000\], got "0"/);
});
