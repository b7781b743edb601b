/**
 * Relay-style cursor pagination over keyset SQL: the cursor holds the sort value
 * and the id of the last row, so page N costs the same as page 1 (no OFFSET scan).
 */
import { GraphQLError } from 'graphql';
import type { Db } from './db';

export type PageArgs = { first?: number | null; after?: string | null };
export type SortDirection = 'ASC' | 'DESC';

export const MAX_PAGE_SIZE = 1000;

export function encodeCursor(sortValue: unknown, id: number): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [unknown, number] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[1] === 'number') return value as [unknown, number];
  } catch {
    // fall through to the error below
  }
  throw new GraphQLError(`Invalid cursor "${cursor}": pass a cursor returned by this field`, {
    extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' },
  });
}

export function pageSize(first: number | null | undefined, defaultSize = 20): number {
  const size = first ?? defaultSize;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new GraphQLError(`"first" must be between 0 and ${MAX_PAGE_SIZE}, got ${size}`, {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' },
    });
  }
  return size;
}

/**
 * Builds the keyset condition for `ORDER BY sortColumn dir, id dir` after a cursor.
 * `params` is appended to; the returned SQL fragment references the new placeholders.
 */
export function afterCursorCondition(
  sortColumn: string,
  idColumn: string,
  direction: SortDirection,
  after: string | null | undefined,
  params: unknown[],
): string | null {
  if (!after) return null;
  const [sortValue, id] = decodeCursor(after);
  params.push(sortValue, id);
  const op = direction === 'ASC' ? '>' : '<';
  return `(${sortColumn}, ${idColumn}) ${op} ($${params.length - 1}, $${params.length})`;
}

/**
 * One edge of a page. Its cursor is a method, which graphql-js's default resolver
 * calls only when the field is asked for: a 1,000-row page whose cursors nobody
 * reads (the gateway's lists) encodes none.
 */
class Edge<T extends { id: number }> {
  constructor(readonly node: T, private readonly sortValueOf: (row: T) => unknown) {}
  cursor(): string {
    return encodeCursor(this.sortValueOf(this.node), this.node.id);
  }
}

export type Connection<T extends { id: number }> = {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: () => string | null };
};

/** Turns `size + 1` fetched rows into a connection; the extra row only says whether a next page exists. */
export function toConnection<T extends { id: number }>(rows: T[], size: number, sortValueOf: (row: T) => unknown): Connection<T> {
  const edges = rows.slice(0, size).map((node) => new Edge(node, sortValueOf));
  const last = edges[edges.length - 1];
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: () => last?.cursor() ?? null },
  };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Checks a cursor over (a timestamp column, id) before it reaches SQL, so a forged
 * one is a BAD_USER_INPUT error and never a database error.
 */
export function checkTimeCursor(after: string | null | undefined) {
  if (!after) return;
  const [time, id] = decodeCursor(after);
  if (typeof time !== 'string' || !ISO_TIME.test(time) || Number.isNaN(Date.parse(time)) || !Number.isInteger(id) || Math.abs(id) > 2 ** 31 - 1) {
    throw new GraphQLError(`Invalid cursor "${after}": pass a cursor returned by this field`, {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' },
    });
  }
}

/**
 * One page of a table in keyset order, with a `totalCount` that runs only when
 * asked for. `conditions(params)` builds the filter (appending to params), and is
 * called again for the count so the two statements never share placeholders.
 */
export async function keysetPage<T extends { id: number }>(
  db: Db,
  options: {
    from: string;
    columns?: string;
    conditions: (params: unknown[]) => string[];
    sortColumn: string;
    direction: SortDirection;
    sortValueOf: (row: T) => unknown;
  },
  page: PageArgs,
) {
  const size = pageSize(page.first);
  const params: unknown[] = [];
  const conditions = options.conditions(params);
  const after = afterCursorCondition(options.sortColumn, 'id', options.direction, page.after, params);
  if (after) conditions.push(after);
  const where = (list: string[]) => (list.length ? `WHERE ${list.join(' AND ')}` : '');
  const order = options.sortColumn === 'id' ? `id ${options.direction}` : `${options.sortColumn} ${options.direction}, id ${options.direction}`;
  const rows = await db.query<T>(
    `SELECT ${options.columns ?? '*'} FROM ${options.from} ${where(conditions)} ORDER BY ${order} LIMIT $${params.push(size + 1)}`,
    params,
  );
  return {
    ...toConnection(rows, size, options.sortValueOf),
    totalCount: async () => {
      const countParams: unknown[] = [];
      const [{ count }] = await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM ${options.from} ${where(options.conditions(countParams))}`,
        countParams,
      );
      return count;
    },
  };
}
