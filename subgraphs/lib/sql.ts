/** Small SQL helpers shared by the domains' data access and seed code. */
import type { Db } from './db';
import type { Progress } from './progress';

export type ColumnTypes = Record<string, 'int' | 'text' | 'numeric' | 'timestamptz' | 'boolean' | 'date'>;

/**
 * Inserts rows in batches with one `INSERT ... SELECT FROM unnest(...)` per batch:
 * one round trip per few thousand rows, on PGlite and PostgreSQL alike.
 */
export async function insertRows(
  db: Db,
  table: string,
  columns: ColumnTypes,
  rows: Iterable<Record<string, unknown>>,
  options: { batchSize?: number; progress?: Progress } = {},
): Promise<number> {
  const names = Object.keys(columns);
  const casts = names.map((name, i) => `$${i + 1}::${columns[name]}[]`).join(', ');
  const sql = `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${casts})`;
  const batchSize = options.batchSize ?? 5000;
  let batch: unknown[][] = names.map(() => []);
  let pending = 0;
  let inserted = 0;
  const flush = async () => {
    if (pending === 0) return;
    await db.query(sql, batch);
    inserted += pending;
    options.progress?.tick(inserted);
    batch = names.map(() => []);
    pending = 0;
  };
  for (const row of rows) {
    names.forEach((name, i) => batch[i].push(row[name] ?? null));
    pending++;
    if (pending >= batchSize) await flush();
  }
  await flush();
  return inserted;
}

export const toIso = (epochMs: number) => new Date(epochMs).toISOString();

export const whereClause = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');

/** A half-open period [from, to); either end may be open. */
export type TimeRange = { from?: Date | null; to?: Date | null };

/** SQL conditions for a TimeRange on a timestamp column; appends to `params`. */
export function timeRangeConditions(column: string, range: TimeRange, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (range.from) conditions.push(`${column} >= $${params.push(range.from.toISOString())}`);
  if (range.to) conditions.push(`${column} < $${params.push(range.to.toISOString())}`);
  return conditions;
}
