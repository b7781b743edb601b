import { PGlite } from '@electric-sql/pglite';
import { validDescriptor } from '../../schema/lint/testing';
import { PgliteDb } from './db';
import { parseDescriptor, type DataProductDescriptor } from './descriptor';
import { formatQualityReport, runQualityRules, scheduleQualityRules } from './quality';

const NOW = new Date('2026-06-01T12:00:00Z');
let db: PgliteDb;

beforeAll(async () => {
  db = new PgliteDb(await PGlite.create(), true);
  await db.query('CREATE SCHEMA shop');
  await db.query(`CREATE TABLE shop.item (id integer PRIMARY KEY, sku text, name text, color text, price numeric(12, 2), updated_at timestamptz NOT NULL)`);
  await db.query(`INSERT INTO shop.item VALUES
    (1, 'A-1', 'Lamp', 'RED', 10.5, '2026-06-01T10:00:00Z'),
    (2, 'A-2', 'Vase', 'BLUE', 20, '2026-05-31T12:00:00Z'),
    (3, 'A-2', NULL, 'PINK', -1, '2026-05-30T12:00:00Z'),
    (4, 'A-4', 'Kite', NULL, 1000, '2026-05-29T12:00:00Z')`);
});
afterAll(() => db?.close());

function descriptorWith(rules: unknown[], overrides: Record<string, unknown> = {}): DataProductDescriptor {
  const outcome = parseDescriptor(validDescriptor({ quality: { schedule: 'PT1H', rules }, ...overrides }));
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  return outcome.descriptor;
}

const run = async (rule: Record<string, unknown>) => (await runQualityRules(db, descriptorWith([{ name: 'rule', ...rule }]), { now: NOW })).results[0];

test('notNull counts the nulls', async () => {
  expect(await run({ type: 'notNull', table: 'item', column: 'sku' })).toMatchObject({ passed: true, observed: 0, message: 'no nulls in sku (4 rows)' });
  expect(await run({ type: 'notNull', table: 'item', column: 'name' })).toMatchObject({ passed: false, observed: 1, message: '1 of 4 rows have a null name' });
});

test('unique counts the duplicate rows and shows which values repeat', async () => {
  expect(await run({ type: 'unique', table: 'item', column: 'id' })).toMatchObject({ passed: true, observed: 0 });
  expect(await run({ type: 'unique', table: 'shop.item', column: 'sku' })).toMatchObject({ passed: false, observed: 1, message: '1 duplicate row in sku, for example "A-2"' });
});

test('acceptedValues counts values outside the list (nulls are left to notNull)', async () => {
  expect(await run({ type: 'acceptedValues', table: 'item', column: 'color', values: ['RED', 'BLUE', 'PINK'] })).toMatchObject({ passed: true, observed: 0 });
  expect(await run({ type: 'acceptedValues', table: 'item', column: 'color', values: ['RED', 'BLUE'] })).toMatchObject({
    passed: false,
    observed: 1,
    message: '1 row with color outside RED, BLUE: "PINK"',
  });
});

test('range counts values outside the bounds and reports the extremes', async () => {
  expect(await run({ type: 'range', table: 'item', column: 'price', min: -5 })).toMatchObject({ passed: true, observed: 0 });
  expect(await run({ type: 'range', table: 'item', column: 'price', min: 0, max: 100 })).toMatchObject({
    passed: false,
    observed: 2,
    message: '2 rows with price outside [0, 100] (seen -1 to 1000)',
  });
});

test('rowCount compares the number of rows with its bounds', async () => {
  expect(await run({ type: 'rowCount', table: 'item', min: 1 })).toMatchObject({ passed: true, observed: 4, message: '4 rows (expected at least 1)' });
  expect(await run({ type: 'rowCount', table: 'item', min: 10, max: 20 })).toMatchObject({ passed: false, observed: 4, message: '4 rows (expected between 10 and 20)' });
});

test('freshness measures the age of the newest row, against maxAge or the SLA', async () => {
  expect(await run({ type: 'freshness', table: 'item', column: 'updated_at' })).toMatchObject({
    passed: true,
    observed: 7200,
    message: 'newest updated_at is 2026-06-01T10:00:00.000Z, 2h old (allowed PT24H)',
  });
  expect(await run({ type: 'freshness', table: 'item', column: 'updated_at', maxAge: 'PT1H' })).toMatchObject({ passed: false, observed: 7200 });
});

test('custom SQL passes on true, or on a number that satisfies its operator', async () => {
  expect(await run({ type: 'sql', query: 'SELECT count(*) = 4 FROM item' })).toMatchObject({ passed: true, observed: true });
  expect(await run({ type: 'sql', query: 'SELECT count(*) FROM item WHERE price < 0', mustBe: 0 })).toMatchObject({ passed: false, observed: 1, message: 'returned 1 (expected = 0)' });
  expect(await run({ type: 'sql', query: 'SELECT avg(price) FROM item', mustBeBetween: [200, 300] })).toMatchObject({ passed: true, observed: 257.375 });
  expect(await run({ type: 'sql', query: 'SELECT count(*) FROM item' })).toMatchObject({ passed: false, message: 'returned 4; a number needs an operator such as mustBe: 0' });
  expect(await run({ type: 'sql', query: 'SELECT id, name FROM item' })).toMatchObject({ passed: false, observed: null, message: 'expected one row with one column, got 4 rows of 2 columns' });
});

test('custom SQL cannot write, even past the static check: it runs in a READ ONLY transaction', async () => {
  const descriptor = descriptorWith([{ name: 'sneaky', type: 'sql', query: 'SELECT 1', mustBe: 1 }]);
  (descriptor.quality.rules[0] as { query: string }).query = 'WITH gone AS (DELETE FROM item RETURNING 1) SELECT count(*) FROM gone';
  const [result] = (await runQualityRules(db, descriptor)).results;
  expect(result).toMatchObject({ passed: false, observed: null });
  expect(result.message).toMatch(/^could not run: cannot execute \w+ in a read-only transaction/);
  expect(await db.query('SELECT count(*)::int AS n FROM shop.item')).toEqual([{ n: 4 }]);
});

test('a rule that cannot run fails with the database message, and the other rules still run', async () => {
  const report = await runQualityRules(
    db,
    descriptorWith([
      { name: 'missing-table', type: 'rowCount', table: 'nope', min: 1 },
      { name: 'names-present', type: 'notNull', table: 'item', column: 'name', severity: 'warning' },
      { name: 'skus-present', type: 'notNull', table: 'item', column: 'sku' },
      { name: 'items-fresh', type: 'freshness', table: 'item', column: 'updated_at' },
    ]),
    { now: NOW },
  );
  expect(report.results.map((r) => [r.rule, r.passed])).toEqual([['missing-table', false], ['names-present', false], ['skus-present', true], ['items-fresh', true]]);
  expect(report.results[0].message).toMatch(/^could not run: relation "shop.nope" does not exist/);
  expect(report.results[0].table).toBe('shop.nope');
  expect(report).toMatchObject({
    product: 'shop',
    score: 0.5,
    passed: false,
    failedRules: ['missing-table', 'names-present'],
    freshnessLagSeconds: 7200,
    freshnessTargetSeconds: 86_400,
    slaBreached: false,
  });
  for (const result of report.results) expect(result.durationMs).toBeGreaterThanOrEqual(0);
  expect(formatQualityReport(report)).toMatch(/^shop: score 50.0%, 2\/4 rules passed, freshness lag 2h in \d+ ms\n {2}FAIL {2}missing-table/);
});

test('only warnings failing still passes; a stale product breaches its freshness SLA', async () => {
  const report = await runQualityRules(
    db,
    descriptorWith([
      { name: 'names-present', type: 'notNull', table: 'item', column: 'name', severity: 'warning' },
      { name: 'items-fresh', type: 'freshness', table: 'item', column: 'updated_at', severity: 'warning' },
    ]),
    { now: new Date('2026-06-03T12:00:00Z') },
  );
  expect(report).toMatchObject({ passed: true, score: 0, freshnessLagSeconds: 180_000, slaBreached: true });
});

test('runs on a schedule, one run at a time, and on demand', async () => {
  const reports: number[] = [];
  const schedule = scheduleQualityRules(db, descriptorWith([{ name: 'skus-present', type: 'notNull', table: 'item', column: 'sku' }]), { onReport: (r) => reports.push(r.score) }, { intervalMs: 20 });
  const first = schedule.runNow();
  expect(schedule.runNow()).toBe(first);
  await first;
  await new Promise((resolve) => setTimeout(resolve, 120));
  schedule.stop();
  expect(reports.length).toBeGreaterThanOrEqual(2);
  expect(new Set(reports)).toEqual(new Set([1]));
});
