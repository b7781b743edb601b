/** The finance domain's data access: every SQL statement this product runs. */
import { GraphQLError } from 'graphql';
import type { Db, QueryFn } from '../lib/db';
import { afterCursorCondition, decodeCursor, pageSize, toConnection, type PageArgs, type SortDirection } from '../lib/pagination';
import { idOf } from '../lib/scalars';
import type { FeatureSource } from './fraud/features';

export type PaymentRow = {
  id: number;
  order_id: number;
  customer_id: number;
  amount: number;
  currency: string;
  method: string;
  status: string;
  paid_at: Date;
  refunded_at: Date | null;
};

export type TransactionRow = {
  id: number;
  customer_id: number;
  type: string;
  amount: number;
  currency: string;
  occurred_at: Date;
  channel: string | null;
  description: string | null;
  counterparty: string | null;
  order_id: number | null;
  anomaly_score: number;
  /** One line per rule that fired; empty when none did. */
  anomaly_reasons: string;
  flagged: boolean;
};

/** `Customer.transactions`' filter: the query-level filter without the customer. */
export type CustomerTransactionFilter = {
  types?: string[] | null;
  from?: Date | string | null;
  to?: Date | string | null;
  minAmount?: number | null;
  maxAmount?: number | null;
  flaggedOnly?: boolean | null;
};

export type TransactionFilter = CustomerTransactionFilter & {
  customerId?: string | null;
  /** Set by `anomalousTransactions`: a z-score at or above this, or a flag from the other rules. */
  anomalyThreshold?: number | null;
};

export type TransactionSort = { field: 'OCCURRED_AT' | 'AMOUNT'; direction: SortDirection };
export const NEWEST_FIRST: TransactionSort = { field: 'OCCURRED_AT', direction: 'DESC' };

/** Per type totals, the one aggregate every total and summary is derived from. */
export type TypeTotalRow = { type: string; count: number; amount: number; first_at: Date; last_at: Date };

const SORT_COLUMNS = { OCCURRED_AT: 't.occurred_at', AMOUNT: 't.amount' } as const;
// Amounts are numeric(12, 2) in the table and float8 on the way out, the same on PGlite and pg.
// Conditions and ORDER BY name `t.amount` so they reach the column (and its index), not this alias.
const PAYMENT_COLUMNS = 'id, order_id, customer_id, amount::float8 AS amount, currency, method, status, paid_at, refunded_at';
const TRANSACTION_COLUMNS =
  't.id, t.customer_id, t.type, t.amount::float8 AS amount, t.currency, t.occurred_at, t.channel, t.description, t.counterparty, t.order_id, t.anomaly_score, t.anomaly_reasons, t.flagged';
const TYPE_TOTALS = `t.type, count(*)::int AS count, sum(t.amount)::float8 AS amount, min(t.occurred_at) AS first_at, max(t.occurred_at) AS last_at`;

export const paymentsByIds = (db: Db, ids: number[]) =>
  db.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM finance.payments WHERE id = ANY($1::int[])`, [ids]);

export const paymentsByOrderIds = (db: Db, orderIds: number[]) =>
  db.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM finance.payments WHERE order_id = ANY($1::int[])`, [orderIds]);

export const transactionsByIds = (db: Db, ids: number[]) =>
  db.query<TransactionRow>(`SELECT ${TRANSACTION_COLUMNS} FROM finance.transactions t WHERE t.id = ANY($1::int[])`, [ids]);

const isoOf = (value: Date | string) => new Date(value).toISOString();

function filterConditions(filter: TransactionFilter | null | undefined, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (filter?.customerId != null) conditions.push(`t.customer_id = $${params.push(idOf(filter.customerId) ?? -1)}`);
  if (filter?.types) conditions.push(`t.type = ANY($${params.push(filter.types)}::text[])`);
  if (filter?.from) conditions.push(`t.occurred_at >= $${params.push(isoOf(filter.from))}::timestamptz`);
  if (filter?.to) conditions.push(`t.occurred_at < $${params.push(isoOf(filter.to))}::timestamptz`);
  if (filter?.minAmount != null) conditions.push(`t.amount >= $${params.push(filter.minAmount)}`);
  if (filter?.maxAmount != null) conditions.push(`t.amount <= $${params.push(filter.maxAmount)}`);
  if (filter?.flaggedOnly) conditions.push('t.flagged');
  if (filter?.anomalyThreshold != null) conditions.push(`(t.anomaly_score >= $${params.push(filter.anomalyThreshold)}::float8 OR t.rule_flagged)`);
  return conditions;
}

const whereOf = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');

export const sortValueOf = (sort: TransactionSort) => (row: TransactionRow) =>
  sort.field === 'AMOUNT' ? row.amount : row.occurred_at.toISOString();

/**
 * The keyset condition after a cursor. The cursor's sort value must fit the sort
 * field (a cursor from an amount-sorted page does not continue a time-sorted one).
 */
function cursorCondition(sort: TransactionSort, after: string | null | undefined, params: unknown[]): string | null {
  if (!after) return null;
  const [value, id] = decodeCursor(after);
  const fits = sort.field === 'AMOUNT' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value));
  if (!fits || !Number.isSafeInteger(id)) {
    throw new GraphQLError(`Invalid cursor "${after}": pass a cursor returned by this field with the same orderBy`, {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' },
    });
  }
  return afterCursorCondition(SORT_COLUMNS[sort.field], 't.id', sort.direction, after, params);
}

export function checkThreshold(threshold: number): number {
  if (!Number.isFinite(threshold)) {
    throw new GraphQLError(`"threshold" must be a finite number, got ${threshold}`, { extensions: { code: 'BAD_USER_INPUT', argumentName: 'threshold' } });
  }
  return threshold;
}

/** Totals per type over every transaction matching the filter, in one statement. */
export function typeTotals(db: Db, filter: TransactionFilter | null | undefined) {
  const params: unknown[] = [];
  return db.query<TypeTotalRow>(
    `SELECT ${TYPE_TOTALS} FROM finance.transactions t ${whereOf(filterConditions(filter, params))} GROUP BY t.type`,
    params,
  );
}

/** Totals per customer and type for many customers with the same filter, in one statement. */
export function typeTotalsOfCustomers(db: Db, customerIds: number[], filter: CustomerTransactionFilter) {
  const params: unknown[] = [customerIds];
  const conditions = ['t.customer_id = ANY($1::int[])', ...filterConditions(filter, params)];
  return db.query<TypeTotalRow & { customer_id: number }>(
    `SELECT t.customer_id, ${TYPE_TOTALS} FROM finance.transactions t WHERE ${conditions.join(' AND ')} GROUP BY t.customer_id, t.type`,
    params,
  );
}

/** Connection totals that cost nothing unless asked for, and one statement however many are asked for. */
export function lazyTotals(load: () => Promise<TypeTotalRow[]>) {
  let rows: Promise<TypeTotalRow[]> | undefined;
  const totals = () => (rows ??= load());
  return {
    totalCount: async () => (await totals()).reduce((sum, row) => sum + row.count, 0),
    totalAmount: async () => round2((await totals()).reduce((sum, row) => sum + row.amount, 0)),
    totalsByType: async () => byTypeOf(await totals()),
  };
}

export async function transactionPage(db: Db, filter: TransactionFilter | null | undefined, page: PageArgs, sort: TransactionSort) {
  const size = pageSize(page.first);
  const column = SORT_COLUMNS[sort.field];
  const params: unknown[] = [];
  const conditions = filterConditions(filter, params);
  const after = cursorCondition(sort, page.after, params);
  if (after) conditions.push(after);
  const rows = await db.query<TransactionRow>(
    `SELECT ${TRANSACTION_COLUMNS} FROM finance.transactions t ${whereOf(conditions)}
      ORDER BY ${column} ${sort.direction}, t.id ${sort.direction} LIMIT $${params.push(size + 1)}`,
    params,
  );
  return { ...toConnection(rows, size, sortValueOf(sort)), ...lazyTotals(() => typeTotals(db, filter)) };
}

/**
 * A page of transactions for each of many customers in one statement: a lateral
 * join runs the keyset query once per customer, so each customer costs an index
 * probe and a page of rows, however long the customer's history is.
 */
export function transactionsOfCustomers(db: Db, customerIds: number[], filter: CustomerTransactionFilter, size: number, after: string | null, sort: TransactionSort) {
  const order = `${SORT_COLUMNS[sort.field]} ${sort.direction}, t.id ${sort.direction}`;
  const params: unknown[] = [customerIds];
  const conditions = ['t.customer_id = c.customer_id', ...filterConditions(filter, params)];
  const afterCondition = cursorCondition(sort, after, params);
  if (afterCondition) conditions.push(afterCondition);
  return db.query<TransactionRow & { rank: number }>(
    `SELECT page.* FROM unnest($1::int[]) AS c (customer_id)
     CROSS JOIN LATERAL (
       SELECT ${TRANSACTION_COLUMNS}, row_number() OVER (ORDER BY ${order})::int AS rank
         FROM finance.transactions t WHERE ${conditions.join(' AND ')}
        ORDER BY ${order} LIMIT $${params.push(size + 1)}
     ) page ORDER BY page.customer_id, page.rank`,
    params,
  );
}

// ---- summaries -----------------------------------------------------------------------------------

const TYPE_ORDER = ['DEPOSIT', 'WITHDRAWAL', 'PAYMENT', 'REFUND', 'TRANSFER', 'FEE'];
/** Money in; every other type is money out (transfers are outgoing). */
const INFLOWS = new Set(['DEPOSIT', 'REFUND']);
const round2 = (value: number) => Math.round(value * 100) / 100;

export const byTypeOf = (rows: TypeTotalRow[]) =>
  [...rows]
    .sort((a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type))
    .map((row) => ({ type: row.type, count: row.count, amount: row.amount }));

export function summaryOf(rows: TypeTotalRow[]) {
  const amountOf = (type: string) => rows.find((row) => row.type === type)?.amount ?? 0;
  const times = (key: 'first_at' | 'last_at') => rows.map((row) => new Date(row[key]).getTime());
  return {
    count: rows.reduce((sum, row) => sum + row.count, 0),
    totalAmount: round2(rows.reduce((sum, row) => sum + row.amount, 0)),
    deposits: amountOf('DEPOSIT'),
    withdrawals: amountOf('WITHDRAWAL'),
    net: round2(rows.reduce((sum, row) => sum + (INFLOWS.has(row.type) ? row.amount : -row.amount), 0)),
    byType: byTypeOf(rows),
    firstAt: rows.length ? new Date(Math.min(...times('first_at'))) : null,
    lastAt: rows.length ? new Date(Math.max(...times('last_at'))) : null,
  };
}

// ---- the fraud model's inputs ----------------------------------------------------------------------

/** The columns the fraud model's features read (fraud/features.ts); never the label. */
const FEATURE_COLUMNS = 't.id, t.customer_id, t.type, t.amount::float8 AS amount, t.occurred_at, t.channel, t.counterparty, t.anomaly_score';

/** Every transaction of these customers, for measuring transactions against their customer's history: one statement. */
export const historiesOfCustomers = (query: QueryFn, customerIds: number[]) =>
  query<FeatureSource>(`SELECT ${FEATURE_COLUMNS} FROM finance.transactions t WHERE t.customer_id = ANY($1::int[])`, [customerIds]);

/** How many transactions match a filter: `anomalousTransactions(minScore:)` scores them all, so it counts first. */
export async function countMatching(db: Db, filter: TransactionFilter | null | undefined): Promise<number> {
  const params: unknown[] = [];
  const [row] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM finance.transactions t ${whereOf(filterConditions(filter, params))}`, params);
  return row.count;
}

/** Every transaction matching a filter, newest first (the candidates `anomalousTransactions(minScore:)` scores). */
export const allMatching = (db: Db, filter: TransactionFilter | null | undefined) => {
  const params: unknown[] = [];
  return db.query<TransactionRow>(`SELECT ${TRANSACTION_COLUMNS} FROM finance.transactions t ${whereOf(filterConditions(filter, params))} ORDER BY t.occurred_at DESC, t.id DESC`, params);
};

/** A labeled transaction: the features' columns, whether the rules flagged it, and its planted pattern (null: legitimate). */
export type LabeledRow = FeatureSource & { flagged: boolean; pattern: string | null };

/**
 * One side of the model's split, with the ground truth: the held-out side is every customer whose id is a
 * multiple of `HELD_OUT_EVERY` (split by customer, so no customer's history is on both sides).
 * For training and evaluation only; the API never reads finance.fraud_labels.
 */
export const HELD_OUT_EVERY = 5;
export const labeledTransactions = (query: QueryFn, side: 'training' | 'held-out') =>
  query<LabeledRow>(
    `SELECT ${FEATURE_COLUMNS}, t.flagged, l.pattern FROM finance.transactions t LEFT JOIN finance.fraud_labels l ON l.transaction_id = t.id
      WHERE (t.customer_id % ${HELD_OUT_EVERY} = 0) = $1 ORDER BY t.id`,
    [side === 'held-out'],
  );
