/**
 * Serving fraud scores: a per-request DataLoader that scores every transaction a request asks about in
 * one pass (one statement for the customers' histories, one pass of the model), and the page of
 * `anomalousTransactions(minScore:)` built on it.
 *
 * Guarantees: however many transactions a request resolves `fraudScore` on in one tick, the model runs
 * once for them (never once per row); a page's rows are scored by the same loader, so their `fraudScore`
 * costs nothing more; `minScore` scores at most MAX_SCORED candidates, or refuses before scoring any.
 * Must never: share a loader between requests (create one per request, as createLoaders does), or read
 * the fraud labels.
 */
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { Db } from '../../lib/db';
import { decodeCursor, pageSize, toConnection, type PageArgs } from '../../lib/pagination';
import { allMatching, byTypeOf, countMatching, historiesOfCustomers, type TransactionFilter, type TransactionRow } from '../store';
import { featureMatrix } from './features';
import type { FraudModel } from './model';

export type FraudScoreView = { score: number; modelVersion: string; flagged: boolean };

/** The most candidates one `anomalousTransactions(minScore:)` scores (about a second of scoring on this hardware). */
export const MAX_SCORED = 10_000;

export function fraudScoreLoader(db: Db, model: () => FraudModel) {
  return new DataLoader<TransactionRow, FraudScoreView, number>(
    async (rows) => {
      const served = model();
      const customerIds = [...new Set(rows.map((row) => row.customer_id))];
      const histories = await historiesOfCustomers((sql, params) => db.query(sql, params), customerIds);
      const scores = served.score(featureMatrix([...rows], histories));
      const { version, threshold } = served.card;
      return scores.map((score) => ({ score, modelVersion: version, flagged: score >= threshold }));
    },
    { cacheKeyFn: (row) => row.id, maxBatchSize: MAX_SCORED },
  );
}

export function checkMinScore(minScore: number): number {
  if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1) {
    throw new GraphQLError(`"minScore" must be a number from 0 to 1, got ${minScore}`, { extensions: { code: 'BAD_USER_INPUT', argumentName: 'minScore' } });
  }
  return minScore;
}

/** The position after a newest-first cursor: [occurredAt ISO string, id]. */
function afterCursor(after: string | null | undefined): [number, number] | null {
  if (!after) return null;
  const [value, id] = decodeCursor(after);
  const time = typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time) || !Number.isSafeInteger(id)) {
    throw new GraphQLError(`Invalid cursor "${after}": pass a cursor returned by this field`, { extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
  }
  return [time, id];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** `anomalousTransactions(minScore:)`: the filter's transactions scored in one pass, those at or above `minScore`, newest first. */
export async function scoredPage(db: Db, scores: ReturnType<typeof fraudScoreLoader>, filter: TransactionFilter | null | undefined, minScore: number, page: PageArgs, limit = MAX_SCORED) {
  checkMinScore(minScore);
  const size = pageSize(page.first);
  const after = afterCursor(page.after);
  const candidates = await countMatching(db, filter);
  if (candidates > limit) {
    throw new GraphQLError(`"minScore" scores every transaction the filter matches; it matches ${candidates}, at most ${limit} may be scored at once: narrow the filter (customerId, from/to, types)`, {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'minScore' },
    });
  }
  const rows = await allMatching(db, filter);
  const scored = await scores.loadMany(rows);
  const matching = rows.filter((_, i) => {
    const result = scored[i];
    if (result instanceof Error) throw result;
    return result.score >= minScore;
  });
  const start = after ? matching.findIndex((row) => row.occurred_at.getTime() < after[0] || (row.occurred_at.getTime() === after[0] && row.id < after[1])) : 0;
  const pageRows = start < 0 ? [] : matching.slice(start, start + size + 1);
  const totals = new Map<string, { type: string; count: number; amount: number; first_at: Date; last_at: Date }>();
  for (const row of matching) {
    const total = totals.get(row.type) ?? { type: row.type, count: 0, amount: 0, first_at: row.occurred_at, last_at: row.occurred_at };
    total.count++;
    total.amount = round2(total.amount + row.amount);
    totals.set(row.type, total);
  }
  return {
    ...toConnection(pageRows, size, (row) => row.occurred_at.toISOString()),
    totalCount: matching.length,
    totalAmount: round2(matching.reduce((sum, row) => sum + row.amount, 0)),
    totalsByType: byTypeOf([...totals.values()]),
  };
}
