/**
 * Issue 19: the fraud model is trained deterministically for a seed, on the training side of the split
 * only, from labels the seed planted (and that the API never serves).
 */
import { PGlite } from '@electric-sql/pglite';
import { parse, visit } from 'graphql';
import { PgliteDb } from '../../lib/db';
import { ANCHOR } from '../../lib/scenario';
import { seedDomain } from '../../lib/storage';
import type { SubgraphDefinition } from '../../lib/subgraph';
import { financeSeedData } from '../seed';
import { HELD_OUT_EVERY, labeledTransactions, type LabeledRow } from '../store';
import { finance } from '..';
import { FRAUD_PATTERNS } from './patterns';
import { trainFraudModel } from './train';

const OPTIONS = { seed: 7, scale: 0.03, now: ANCHOR };
let db: PgliteDb;
let training: LabeledRow[];
let heldOut: LabeledRow[];

beforeAll(async () => {
  db = new PgliteDb(await PGlite.create(), true);
  await seedDomain(db, finance as SubgraphDefinition<any>, OPTIONS);
  training = await labeledTransactions((sql, params) => db.query(sql, params), 'training');
  heldOut = await labeledTransactions((sql, params) => db.query(sql, params), 'held-out');
}, 120_000);
afterAll(() => db?.close());

test('the seed plants every pattern, deterministically, and stores exactly the planted transactions as labels', async () => {
  const first = financeSeedData(OPTIONS).transactions.filter((t) => t.fraud);
  const again = financeSeedData(OPTIONS).transactions.filter((t) => t.fraud);
  expect(again.map((t) => [t.id, t.fraud])).toEqual(first.map((t) => [t.id, t.fraud]));
  const atScale = financeSeedData({ ...OPTIONS, scale: 0.2 }).transactions;
  const patterns = new Set(atScale.map((t) => t.fraud).filter(Boolean));
  expect([...patterns].sort()).toEqual(FRAUD_PATTERNS.filter((p) => p !== 'live-large-withdrawal').sort());
  const stored = await db.query<{ transaction_id: number; pattern: string }>('SELECT transaction_id, pattern FROM finance.fraud_labels ORDER BY transaction_id');
  expect(stored.map((row) => [row.transaction_id, row.pattern])).toEqual(first.map((t) => [t.id, t.fraud]));
});

test('no resolver or field can read a label: the schema has none and the SQL the API runs never names fraud_labels', () => {
  const names: string[] = [];
  visit(parse(require('node:fs').readFileSync(require('node:path').join(finance.dir, 'schema.graphql'), 'utf8')), { FieldDefinition: (node) => void names.push(node.name.value) });
  expect(names.filter((name) => /label|pattern|planted/i.test(name))).toEqual([]);
  const served = ['resolvers.ts', 'loaders.ts', 'fraud/scoring.ts', 'fraud/features.ts'].map((file) => require('node:fs').readFileSync(require('node:path').join(finance.dir, file), 'utf8'));
  for (const source of served) expect(source).not.toMatch(/fraud_labels|labeledTransactions/);
});

test('training is deterministic for a seed, sees no held-out customer, and another seed gives another forest', () => {
  expect(training.some((row) => row.customer_id % HELD_OUT_EVERY === 0)).toBe(false);
  expect(heldOut.every((row) => row.customer_id % HELD_OUT_EVERY === 0)).toBe(true);
  const trainedAt = new Date('2026-12-01T00:00:00Z');
  const first = trainFraudModel(training, heldOut, { seed: 7, scale: OPTIONS.scale, trainedAt });
  const second = trainFraudModel(training, heldOut, { seed: 7, scale: OPTIONS.scale, trainedAt });
  expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  expect(first.version).toMatch(/^1\.0\.0\+[0-9a-f]{12}$/);
  expect(first.training.frauds).toBeGreaterThan(20);
  const other = trainFraudModel(training, heldOut, { seed: 8, scale: OPTIONS.scale, trainedAt });
  expect(other.version).not.toBe(first.version);
  // The split's figures are real: the rules are measured on the same held-out rows.
  expect(first.heldOut.transactions).toBe(heldOut.length);
  expect(first.heldOut.rules.truePositives + first.heldOut.rules.falseNegatives).toBe(first.heldOut.frauds);
}, 300_000);
