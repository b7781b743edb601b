/**
 * The fraud model's features, computed by the finance product from its own transactions: one definition
 * for training, evaluation and serving, so the model is always fed what it was trained on.
 *
 * Guarantees: a pure function of the target transactions and their customers' histories (the same rows
 * give the same numbers, in the order of FEATURES); each target is measured against the customer's other
 * transactions (never itself), the way the leave-one-out z-score is. Must never: read the fraud labels,
 * or anything outside the rows it is given.
 *
 * Hand-written rather than a feature library: twelve numbers over a few sorted arrays, where a dataframe
 * library would cost more to load than to compute them.
 */

/** The columns features need; a TransactionRow has them all. */
export type FeatureSource = {
  id: number;
  customer_id: number;
  type: string;
  amount: number;
  occurred_at: Date;
  channel: string | null;
  counterparty: string | null;
  anomaly_score: number;
};

export const FEATURES = [
  'typeCode',
  'channelCode',
  'amountVsTypeMedian',
  'amountZScore',
  'hourOfDay',
  'counterpartyNew',
  'counterpartyAgeHours',
  'velocity1h',
  'velocity24h',
  'sameTypeWithin1h',
  'sameTypeAmountWithin1hVsMedian',
  'typeHistory',
] as const;
export type FeatureName = (typeof FEATURES)[number];

const TYPES = ['DEPOSIT', 'WITHDRAWAL', 'PAYMENT', 'REFUND', 'TRANSFER', 'FEE'];
const CHANNELS = ['ONLINE', 'MOBILE', 'BRANCH', 'ATM', 'CARD'];
const HOUR_MS = 3_600_000;
const MIN_TYPE_HISTORY = 3;

/** A customer's history, indexed once however many of its transactions are scored. */
type History = {
  /** Times in ascending order (all types). */
  times: number[];
  /** Per type: ascending times, and amounts in ascending order. */
  byType: Map<string, { times: number[]; amounts: number[]; sortedAmounts: number[] }>;
  /** Each counterparty's first use: [time, id]. */
  firstUse: Map<string, [number, number]>;
};

/** Index of the first element >= value in an ascending array. */
function lowerBound(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid] < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

const countWithin = (sorted: number[], at: number, ms: number) => lowerBound(sorted, at + ms + 1) - lowerBound(sorted, at - ms);

/** The median of an ascending array without one occurrence of `value` (which it holds). */
function medianWithout(sorted: number[], value: number): number {
  const skip = lowerBound(sorted, value);
  const n = sorted.length - 1;
  const at = (i: number) => sorted[i < skip ? i : i + 1];
  return n % 2 ? at(n >> 1) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

function indexHistory(rows: FeatureSource[]): History {
  const sorted = [...rows].sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime() || a.id - b.id);
  const byType: History['byType'] = new Map();
  const firstUse: History['firstUse'] = new Map();
  for (const row of sorted) {
    const time = row.occurred_at.getTime();
    let group = byType.get(row.type);
    if (!group) byType.set(row.type, (group = { times: [], amounts: [], sortedAmounts: [] }));
    group.times.push(time);
    group.amounts.push(row.amount);
    if (row.counterparty && !firstUse.has(row.counterparty)) firstUse.set(row.counterparty, [time, row.id]);
  }
  for (const group of byType.values()) group.sortedAmounts = [...group.amounts].sort((a, b) => a - b);
  return { times: sorted.map((row) => row.occurred_at.getTime()), byType, firstUse };
}

function featuresOf(target: FeatureSource, history: History): number[] {
  const time = target.occurred_at.getTime();
  const group = history.byType.get(target.type);
  const others = group ? group.amounts.length - 1 : 0;
  const median = group && others >= MIN_TYPE_HISTORY ? medianWithout(group.sortedAmounts, target.amount) : null;
  const ratio = (amount: number) => (median && median > 0 ? Math.log2(amount / median) : 0);
  let sameTypeWithin1h = 0;
  let sameTypeAmount = target.amount;
  if (group) {
    const from = lowerBound(group.times, time - HOUR_MS);
    const to = lowerBound(group.times, time + HOUR_MS + 1);
    for (let i = from; i < to; i++) sameTypeAmount += group.amounts[i];
    sameTypeWithin1h = to - from - 1;
    sameTypeAmount -= target.amount;
  }
  const first = target.counterparty ? history.firstUse.get(target.counterparty) : undefined;
  const isFirst = !first || first[0] > time || (first[0] === time && first[1] >= target.id);
  return [
    TYPES.indexOf(target.type),
    target.channel === null ? -1 : CHANNELS.indexOf(target.channel),
    ratio(target.amount),
    target.anomaly_score,
    target.occurred_at.getUTCHours() + target.occurred_at.getUTCMinutes() / 60,
    target.counterparty === null ? -1 : isFirst ? 1 : 0,
    target.counterparty === null ? -1 : isFirst ? 0 : Math.min(10_000, (time - first![0]) / HOUR_MS),
    countWithin(history.times, time, HOUR_MS) - 1,
    countWithin(history.times, time, 24 * HOUR_MS) - 1,
    sameTypeWithin1h,
    ratio(sameTypeAmount),
    Math.min(1000, others),
  ];
}

/**
 * One feature vector per target, in the targets' order. `histories` holds every transaction of the
 * targets' customers (the targets among them; a target missing from it is measured as if it were there).
 */
export function featureMatrix(targets: FeatureSource[], histories: FeatureSource[]): number[][] {
  const rowsByCustomer = new Map<number, Map<number, FeatureSource>>();
  for (const row of [...histories, ...targets]) {
    let rows = rowsByCustomer.get(row.customer_id);
    if (!rows) rowsByCustomer.set(row.customer_id, (rows = new Map()));
    rows.set(row.id, row);
  }
  const indexed = new Map<number, History>();
  return targets.map((target) => {
    let history = indexed.get(target.customer_id);
    if (!history) indexed.set(target.customer_id, (history = indexHistory([...rowsByCustomer.get(target.customer_id)!.values()])));
    return featuresOf(target, history);
  });
}
