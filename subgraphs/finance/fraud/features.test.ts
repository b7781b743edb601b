/** Issue 19: the fraud model's features, on a hand-made history, measure each transaction against the customer's others. */
import { FEATURES, featureMatrix, type FeatureSource } from './features';
import { FraudModel, servedModel, type ModelFile } from './model';
import { readFileSync } from 'node:fs';
import { MODEL_FILE } from './model';

const at = (iso: string) => new Date(iso);
let nextId = 1;
const row = (type: string, amount: number, when: string, counterparty: string | null = null, customer = 1): FeatureSource => ({
  id: nextId++, customer_id: customer, type, amount, occurred_at: at(when), channel: type === 'WITHDRAWAL' ? 'ATM' : 'ONLINE', counterparty, anomaly_score: 0,
});

const history = [
  row('WITHDRAWAL', 100, '2026-01-01T10:00:00Z'),
  row('WITHDRAWAL', 120, '2026-01-05T10:00:00Z'),
  row('WITHDRAWAL', 80, '2026-01-09T10:00:00Z'),
  row('TRANSFER', 500, '2026-01-10T09:00:00Z', 'DE11 RENT'),
  row('TRANSFER', 500, '2026-02-10T09:00:00Z', 'DE11 RENT'),
  row('WITHDRAWAL', 800, '2026-03-01T02:00:00Z'),
  row('WITHDRAWAL', 90, '2026-03-01T02:20:00Z'),
  row('TRANSFER', 900, '2026-03-01T02:30:00Z', 'FR99 NEW'),
  row('DEPOSIT', 2000, '2026-03-01T02:40:00Z', null, 2),
];
const named = (vector: number[]) => Object.fromEntries(FEATURES.map((name, i) => [name, vector[i]]));

test('amounts are measured against the median of the customer\'s other transactions of the type, never itself', () => {
  const [large] = featureMatrix([history[5]], history).map(named);
  // Others: 100, 120, 80, 90 → median 95; 800 / 95.
  expect(large.amountVsTypeMedian).toBeCloseTo(Math.log2(800 / 95), 6);
  expect(large.typeHistory).toBe(4);
  expect(large.hourOfDay).toBe(2);
});

test('velocity counts the customer\'s own transactions within an hour and a day either side, not other customers\'', () => {
  const [large] = featureMatrix([history[5]], history).map(named);
  expect(large.velocity1h).toBe(2); // the 02:20 withdrawal and the 02:30 transfer; customer 2's deposit does not count
  expect(large.sameTypeWithin1h).toBe(1);
  expect(large.sameTypeAmountWithin1hVsMedian).toBeCloseTo(Math.log2(890 / 95), 6);
});

test('a counterparty is new the first time, then known for as long as it has been used', () => {
  const [rentFirst, rentAgain, fresh, cash] = featureMatrix([history[3], history[4], history[7], history[0]], history).map(named);
  expect([rentFirst.counterpartyNew, rentAgain.counterpartyNew, fresh.counterpartyNew, cash.counterpartyNew]).toEqual([1, 0, 1, -1]);
  expect(rentAgain.counterpartyAgeHours).toBe(31 * 24);
});

test('features do not depend on which other targets are scored with them', () => {
  const alone = featureMatrix([history[7]], history);
  const together = featureMatrix(history, history);
  expect(together[7]).toEqual(alone[0]);
});

test('a model file trained on other features is refused, naming both lists', () => {
  const file = JSON.parse(readFileSync(MODEL_FILE, 'utf8')) as ModelFile;
  expect(() => FraudModel.fromFile({ ...file, features: ['amount'] })).toThrow(/trained on features \[amount\], but finance computes \[typeCode, .*\]: retrain it/);
  expect(servedModel().card.features).toEqual([...FEATURES]);
});
