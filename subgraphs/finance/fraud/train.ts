/**
 * Trains finance's fraud model: a random forest (ml-random-forest) on the training side of the split.
 *
 * Guarantees: deterministic for a seed: the same rows and seed give the same forest, byte for byte (the
 * negatives kept are drawn from the seed's own stream, the forest's bagging from its seed), and the version
 * names the forest's hash. Must never: see a held-out customer.
 */
import { createHash } from 'node:crypto';
import { RandomForestClassifier } from 'ml-random-forest';
import { randomFor } from '../../lib/random';
import { HELD_OUT_EVERY, type LabeledRow } from '../store';
import { evaluateRows } from './evaluate';
import { FEATURES, featureMatrix } from './features';
import { FraudModel, MODEL_NAME, type ModelFile } from './model';

export const MODEL_SEMVER = '1.0.0';
/** The forest's shape: small enough to score 1,000 transactions in milliseconds, and for the file to live in git. */
export const FOREST = { nEstimators: 40, maxFeatures: 0.7, treeOptions: { maxDepth: 10, minNumSamples: 3 } } as const;
export const NEGATIVES_PER_FRAUD = 10;
export const SERVING_THRESHOLD = 0.5;

export type TrainingOptions = { seed: number; scale: number; trainedAt?: Date };

/** Trains on the training side and measures on the held-out side; returns the file to write. */
export function trainFraudModel(training: LabeledRow[], heldOut: LabeledRow[], options: TrainingOptions): ModelFile {
  if (training.some((row) => row.customer_id % HELD_OUT_EVERY === 0)) throw new Error('a held-out customer is in the training rows');
  const features = featureMatrix(training, training);
  // Fraud is about 1% of transactions: keep every fraud and a fixed share of the rest, drawn per transaction id.
  const frauds = training.filter((row) => row.pattern !== null).length;
  const keepShare = Math.min(1, (frauds * NEGATIVES_PER_FRAUD) / Math.max(1, training.length - frauds));
  const kept = training.flatMap((row, i) => (row.pattern !== null || randomFor(options.seed, 'fraud-negatives', row.id).next() < keepShare ? [i] : []));
  const forest = new RandomForestClassifier({ ...FOREST, treeOptions: { ...FOREST.treeOptions }, seed: options.seed, noOOB: true });
  forest.train(kept.map((i) => features[i]), kept.map((i) => (training[i].pattern !== null ? 1 : 0)));
  const json = forest.toJSON();
  const hash = createHash('sha256').update(JSON.stringify(json)).digest('hex').slice(0, 12);
  const card = {
    name: MODEL_NAME,
    version: `${MODEL_SEMVER}+${hash}`,
    trainedAt: (options.trainedAt ?? new Date()).toISOString(),
    algorithm: `random forest (ml-random-forest 2.1.0): ${FOREST.nEstimators} trees, depth ≤ ${FOREST.treeOptions.maxDepth}, ${FOREST.maxFeatures * 100}% of the features per tree`,
    features: [...FEATURES],
    threshold: SERVING_THRESHOLD,
    training: {
      seed: options.seed,
      scale: options.scale,
      transactions: training.length,
      frauds,
      negativesKept: kept.length - frauds,
      split: `held out: customers whose id is a multiple of ${HELD_OUT_EVERY}`,
    },
  };
  const { transactions, frauds: heldOutFrauds, model, rules } = evaluateRows(FraudModel.wrap({ ...card, heldOut: undefined as never }, forest), heldOut);
  return { ...card, heldOut: { transactions, frauds: heldOutFrauds, model, rules }, forest: json };
}
