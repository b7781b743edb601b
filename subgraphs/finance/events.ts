/**
 * Finance's subscriptions: every transaction booked (transactionAdded) or
 * changed (transactionUpdated, e.g. when it is flagged), from the
 * finance_events channel that events.sql's trigger fills, narrowed by the
 * subscriber's filter (`minScore`: the fraud model scores each transaction as
 * it arrives). The row comes in the notification; a row too large for NOTIFY
 * comes as its id and is read here.
 */
import type { Db } from '../lib/db';
import { subscribeToChanges, type ChangeEvent } from '../lib/eventStream';
import { idOf } from '../lib/scalars';
import { transactionsByIds, type TransactionRow } from './store';
import { checkMinScore, fraudScoreLoader } from './fraud/scoring';
import { servedModel } from './fraud/model';

export type TransactionEventFilter = { customerId?: string | null; types?: string[] | null; minAmount?: number | null; minScore?: number | null };

function matches(row: TransactionRow, filter: TransactionEventFilter | null | undefined): boolean {
  if (filter?.customerId != null && row.customer_id !== idOf(filter.customerId)) return false;
  if (filter?.types && !filter.types.includes(row.type)) return false;
  if (filter?.minAmount != null && row.amount < filter.minAmount) return false;
  return true;
}

/** A row as row_to_json wrote it, with the types the resolvers expect. */
async function rowOf(db: Db, row: Partial<TransactionRow> & { id: number }): Promise<TransactionRow | undefined> {
  if (row.type === undefined) return (await transactionsByIds(db, [row.id]))[0];
  return { ...(row as TransactionRow), amount: Number(row.amount), occurred_at: new Date(row.occurred_at as unknown as string) };
}

export function transactionEvents(db: Db, op: ChangeEvent<unknown>['op'], filter: TransactionEventFilter | null | undefined) {
  // Checked when the subscription starts: a bad minScore is the subscriber's error, not a silent empty stream.
  const minScore = filter?.minScore == null ? null : checkMinScore(filter.minScore);
  return subscribeToChanges<TransactionRow & { id: number }, { transaction: TransactionRow }>(db, {
    channel: 'finance_events',
    async select(event) {
      if (event.op !== op || event.table !== 'transactions') return undefined;
      const row = await rowOf(db, event.row);
      if (!row || !matches(row, filter)) return undefined;
      // Scored as it arrives, by the model served now; a loader per event, so an updated transaction is scored again.
      if (minScore != null && (await fraudScoreLoader(db, servedModel).load(row)).score < minScore) return undefined;
      return { transaction: row };
    },
  });
}
