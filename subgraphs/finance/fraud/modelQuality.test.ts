/**
 * Issue 19: the fraud model's precision and recall on the held-out split are quality rules of the finance
 * product. The served model passes them and beats the rule-based flags on the same rows; a retrained model
 * that falls below them fails the run (what `npm run quality` turns into exit code 1) and is refused by
 * the training command.
 */
import { PGlite } from '@electric-sql/pglite';
import { PgliteDb } from '../../lib/db';
import { loadDescriptor, parseDescriptor, type DataProductDescriptor } from '../../lib/descriptor';
import { runQualityRules } from '../../lib/quality';
import { ANCHOR } from '../../lib/scenario';
import { seedDomain } from '../../lib/storage';
import type { SubgraphDefinition } from '../../lib/subgraph';
import { labeledTransactions } from '../store';
import { finance } from '..';
import { evaluateServedModel } from './evaluate';
import { FraudModel } from './model';
import { modelRuleFailures } from './modelRules';
import { trainFraudModel } from './train';

let db: PgliteDb;
let descriptor: DataProductDescriptor;
const MODEL_RULES = ['fraud-model-precision', 'fraud-model-recall'];

beforeAll(async () => {
  db = new PgliteDb(await PGlite.create(), true);
  await seedDomain(db, finance as SubgraphDefinition<any>, { seed: 42, scale: 0.05, now: ANCHOR });
  const outcome = loadDescriptor(finance.dir);
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  descriptor = outcome.descriptor;
}, 120_000);
afterAll(() => db?.close());

test('the served model passes its precision and recall rules, and beats the rule-based flags on the same held-out rows', async () => {
  const report = await runQualityRules(db, descriptor, { only: MODEL_RULES, models: finance.models });
  expect(report.results.map((result) => [result.rule, result.passed])).toEqual(MODEL_RULES.map((rule) => [rule, true]));
  const figures = Object.fromEntries(report.results[0].figures!.map((figure) => [figure.name, figure.value]));
  expect(figures['model precision']).toBeGreaterThan(figures['rule-based flags precision']);
  expect(figures['model recall']).toBeGreaterThan(figures['rule-based flags recall']);
  expect(report.results[1].message).toMatch(/^fraud-score 1\.0\.0\+[0-9a-f]{12}: recall [\d.]+ at score ≥ 0\.5 on the held-out split .* rule-based flags: [\d.]+ on the same rows$/);
}, 120_000);

test('a retrained model below the thresholds fails the run and is refused by the training command', async () => {
  // A model retrained on labels that name only one pattern: it misses the others.
  const training = (await labeledTransactions((sql, params) => db.query(sql, params), 'training')).map((row) => ({ ...row, pattern: row.pattern === 'velocity-spike' ? row.pattern : null }));
  const heldOut = await labeledTransactions((sql, params) => db.query(sql, params), 'held-out');
  const weak = trainFraudModel(training, heldOut, { seed: 42, scale: 0.05 });
  const report = await runQualityRules(db, descriptor, { only: MODEL_RULES, models: { 'fraud-score': (query) => evaluateServedModel(query, FraudModel.fromFile(weak)) } });
  expect(report.passed).toBe(false);
  expect(report.failedRules).toContain('fraud-model-recall');
  expect(modelRuleFailures(descriptor, 'fraud-score', weak.heldOut.model)).toEqual([expect.stringMatching(/^fraud-model-recall: recall [\d.]+ is below 0\.8$/)]);
}, 300_000);

test('a subgraph without the evaluator fails the rule, saying so; a rule naming an unknown model is a descriptor error naming the key', async () => {
  const report = await runQualityRules(db, descriptor, { only: ['fraud-model-recall'] });
  expect(report.results[0]).toMatchObject({ passed: false, observed: null, message: 'this subgraph has no evaluator for the model fraud-score' });
  const raw = JSON.parse(JSON.stringify({ ...descriptor, quality: { ...descriptor.quality, rules: [{ name: 'm', type: 'model', model: 'nope', metric: 'recall', min: 0.5 }] } }));
  const outcome = parseDescriptor(raw);
  expect(outcome.ok).toBe(false);
  expect(outcome.ok ? [] : outcome.errors).toEqual([expect.stringMatching(/^quality\.rules\[0\]\.model: expected the name of a model in models \(fraud-score\), got "nope"$/)]);
});
