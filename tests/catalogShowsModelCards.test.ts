/**
 * Issue 19: the catalog lists the models a product serves with their model card, and, once the quality
 * rules ran, the model's precision and recall next to the rule-based flags' on the same held-out split.
 */
import { ANCHOR } from '../subgraphs/lib/scenario';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ANALYST, FINANCE_TEAM } from './principals';

let mesh: TestMesh;
beforeAll(async () => {
  // At a scale whose held-out split holds enough labeled fraud to measure (20; the test seed has none).
  mesh = await startMesh({ seed: { seed: 42, scale: 0.05, now: ANCHOR }, gateway: { catalog: { statusCacheMs: 0 } } });
}, 120_000);
afterAll(() => mesh?.stop());

const MODELS = `{ dataProduct(id: "finance") { models { name version trainedAt algorithm file features threshold training heldOut { name value }
  qualityRules { name passed observed message figures { name value } } } types { name fields { coordinate guardedBy { rule } } } } }`;

test('the finance product lists its fraud model with the card, then its quality results beside the rules', async () => {
  const before = await mesh.query(MODELS, undefined, await tokenFor(ANALYST));
  expect(before.body.errors).toBeUndefined();
  const [card] = before.body.data.dataProduct.models;
  expect(card).toMatchObject({ name: 'fraud-score', version: expect.stringMatching(/^1\.0\.0\+/), file: 'model/fraud-score.json', threshold: 0.5, qualityRules: [] });
  expect(card.features).toEqual(expect.arrayContaining(['amountVsTypeMedian', 'hourOfDay', 'counterpartyNew', 'velocity1h']));
  const heldOut = Object.fromEntries(card.heldOut.map((figure: { name: string; value: number }) => [figure.name, figure.value]));
  expect(heldOut['model precision']).toBeGreaterThan(heldOut['rule-based flags precision']);
  expect(heldOut['model recall']).toBeGreaterThan(heldOut['rule-based flags recall']);
  // The score is listed with the rule that guards it.
  const transaction = before.body.data.dataProduct.types.find((type: { name: string }) => type.name === 'Transaction');
  expect(transaction.fields.find((field: { coordinate: string }) => field.coordinate === 'Transaction.fraudScore').guardedBy).toContainEqual({ rule: 'hasScope(risk:read)' });

  const run = await fetch(new URL('/catalog/quality/run?product=finance', mesh.gateway.url), { method: 'POST', headers: await tokenFor(FINANCE_TEAM) });
  expect(run.status).toBe(200);
  const after = await mesh.query(MODELS, undefined, await tokenFor(ANALYST));
  const rules = after.body.data.dataProduct.models[0].qualityRules;
  expect(rules.map((rule: { name: string }) => rule.name)).toEqual(['fraud-model-precision', 'fraud-model-recall']);
  for (const rule of rules) {
    expect(rule.passed).toBe(true);
    expect(rule.figures.map((figure: { name: string }) => figure.name)).toEqual(['model precision', 'model recall', 'rule-based flags precision', 'rule-based flags recall']);
    expect(rule.message).toMatch(/rule-based flags: [\d.]+ on the same rows/);
  }
}, 120_000);
