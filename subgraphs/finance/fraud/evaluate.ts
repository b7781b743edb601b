/**
 * Measures a fraud model on the held-out split of finance's own tables, next to the rule-based flags
 * (leave-one-out z-score and the withdrawal rules, the `flagged` column) on the same transactions.
 *
 * Guarantees: reads only, through the query function it is given (the quality engine's READ ONLY
 * transaction); the held-out side is whole customers, so every transaction is measured against a history
 * the model never trained on. Must never: write, or look at the training side.
 */
import type { QueryFn } from '../../lib/db';
import type { ModelEvaluation } from '../../lib/quality';
import { labeledTransactions, type LabeledRow } from '../store';
import { featureMatrix } from './features';
import type { FraudModel, Metrics } from './model';

export type Evaluation = { modelVersion: string; threshold: number; transactions: number; frauds: number; model: Metrics; rules: Metrics };

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** Precision, recall and F1 of `predicted` against `actual` (precision is 0 when nothing is predicted). */
export function metricsOf(predicted: boolean[], actual: boolean[]): Metrics {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  predicted.forEach((yes, i) => {
    if (yes && actual[i]) truePositives++;
    else if (yes) falsePositives++;
    else if (actual[i]) falseNegatives++;
  });
  const precision = truePositives + falsePositives ? truePositives / (truePositives + falsePositives) : 0;
  const recall = truePositives + falseNegatives ? truePositives / (truePositives + falseNegatives) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision: round3(precision), recall: round3(recall), f1: round3(f1), truePositives, falsePositives, falseNegatives };
}

/** The model's and the rules' figures on labeled rows that hold whole customers' histories. */
export function evaluateRows(model: FraudModel, rows: LabeledRow[], scores = model.score(featureMatrix(rows, rows))): Evaluation {
  const actual = rows.map((row) => row.pattern !== null);
  return {
    modelVersion: model.card.version,
    threshold: model.card.threshold,
    transactions: rows.length,
    frauds: actual.filter(Boolean).length,
    model: metricsOf(scores.map((score) => score >= model.card.threshold), actual),
    rules: metricsOf(rows.map((row) => row.flagged), actual),
  };
}

/** Whole customers at a time, so each chunk holds its customers' histories. */
const CHUNK_ROWS = 2000;

/**
 * The held-out figures, scored a chunk of customers at a time with a turn for the event loop between
 * chunks: a scheduled run over 40,000 rows (scale 1) never holds up the subgraph's requests for long.
 */
export async function evaluateOnHeldOut(query: QueryFn, model: FraudModel): Promise<Evaluation> {
  const rows = (await labeledTransactions(query, 'held-out')).sort((a, b) => a.customer_id - b.customer_id || a.id - b.id);
  const scores: number[] = [];
  for (let start = 0; start < rows.length; ) {
    let end = Math.min(rows.length, start + CHUNK_ROWS);
    while (end < rows.length && rows[end].customer_id === rows[end - 1].customer_id) end++;
    const chunk = rows.slice(start, end);
    scores.push(...model.score(featureMatrix(chunk, chunk)));
    start = end;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return evaluateRows(model, rows, scores);
}

/** The quality engine's view of the served model (subgraphs/lib/quality.ts model rules). */
export async function evaluateServedModel(query: QueryFn, model: FraudModel): Promise<ModelEvaluation> {
  const evaluation = await evaluateOnHeldOut(query, model);
  return {
    version: evaluation.modelVersion,
    threshold: evaluation.threshold,
    rows: evaluation.transactions,
    positives: evaluation.frauds,
    model: { precision: evaluation.model.precision, recall: evaluation.model.recall },
    baseline: { name: 'rule-based flags', precision: evaluation.rules.precision, recall: evaluation.rules.recall },
  };
}
