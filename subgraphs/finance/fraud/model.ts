/**
 * The fraud model as finance serves it: the versioned file subgraphs/finance/model/fraud-score.json
 * (written by `npm run train-fraud-model`), loaded once per process, and one scoring pass over a matrix.
 *
 * Guarantees: a score is the share of the forest's trees that vote "fraud" (0 to 1), the same for the same
 * features and file; `passes` counts scoring passes, so tests can prove a request scores in one.
 * Must never: train, or read anything but its file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RandomForestClassifier } from 'ml-random-forest';
import { FEATURES } from './features';

export const MODEL_NAME = 'fraud-score';
export const MODEL_FILE = join(__dirname, '..', 'model', `${MODEL_NAME}.json`);

/** Held-out figures of one classifier at a threshold. */
export type Metrics = { precision: number; recall: number; f1: number; truePositives: number; falsePositives: number; falseNegatives: number };

/** What the file holds besides the forest: the model card. */
export type ModelCard = {
  name: string;
  /** `<semver>+<first 12 hex of the forest's sha256>`: equal versions are equal forests. */
  version: string;
  trainedAt: string;
  algorithm: string;
  features: string[];
  /** Scores at or above it are served as flagged, and the quality rules measure there. */
  threshold: number;
  training: { seed: number; scale: number; transactions: number; frauds: number; negativesKept: number; split: string };
  heldOut: { transactions: number; frauds: number; model: Metrics; rules: Metrics };
};

export type ModelFile = ModelCard & { forest: unknown };

export class FraudModel {
  /** Scoring passes so far (one per call of `score`). */
  passes = 0;

  private constructor(
    readonly card: ModelCard,
    private readonly forest: RandomForestClassifier,
  ) {}

  static fromFile(file: ModelFile): FraudModel {
    const features = FEATURES as readonly string[];
    if (file.features.length !== features.length || file.features.some((name, i) => name !== features[i])) {
      throw new Error(`${MODEL_NAME} ${file.version} was trained on features [${file.features.join(', ')}], but finance computes [${features.join(', ')}]: retrain it (npm run train-fraud-model)`);
    }
    const { forest, ...card } = file;
    return new FraudModel(card, RandomForestClassifier.load(forest as never));
  }

  static wrap(card: ModelCard, forest: RandomForestClassifier): FraudModel {
    return new FraudModel(card, forest);
  }

  /** One pass over every row: each row's share of trees voting 1. (The library's predictProbability skips the first tree's vote.) */
  score(matrix: number[][]): number[] {
    this.passes++;
    if (!matrix.length) return [];
    const votes = this.forest.predictionValues(matrix);
    const scores = new Array<number>(votes.rows);
    for (let i = 0; i < votes.rows; i++) {
      let fraud = 0;
      for (let j = 0; j < votes.columns; j++) if (votes.get(i, j) === 1) fraud++;
      scores[i] = Math.round((fraud / votes.columns) * 1e4) / 1e4;
    }
    return scores;
  }
}

let loaded: FraudModel | undefined;

/** The served model, read from its file on first use. */
export function servedModel(): FraudModel {
  return (loaded ??= FraudModel.fromFile(JSON.parse(readFileSync(MODEL_FILE, 'utf8')) as ModelFile));
}
