/** The customers domain's data access: every SQL statement this product runs. */
import type { Db } from '../lib/db';
import { afterCursorCondition, pageSize, toConnection, type PageArgs } from '../lib/pagination';

export type CustomerRow = {
  id: number;
  name: string;
  email: string;
  phone: string | null;
  segment: string;
  country: string;
  city: string;
  signed_up_at: Date;
  account_manager: string | null;
};

export type CustomerFilter = { segment?: string | null; country?: string | null; search?: string | null };

export const customersByIds = (db: Db, ids: number[]) =>
  db.query<CustomerRow>(`SELECT * FROM customers.customer WHERE id = ANY($1::int[])`, [ids]);

function filterConditions(filter: CustomerFilter | null | undefined, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (filter?.segment) conditions.push(`segment = $${params.push(filter.segment)}`);
  if (filter?.country) conditions.push(`country = $${params.push(filter.country)}`);
  if (filter?.search) conditions.push(`name ILIKE $${params.push(`%${filter.search.replace(/[%_\\]/g, '\\$&')}%`)}`);
  return conditions;
}

export async function customerPage(db: Db, filter: CustomerFilter | null | undefined, page: PageArgs) {
  const size = pageSize(page.first);
  const params: unknown[] = [];
  const conditions = filterConditions(filter, params);
  const after = afterCursorCondition('id', 'id', 'ASC', page.after, params);
  if (after) conditions.push(after);
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = await db.query<CustomerRow>(
    `SELECT * FROM customers.customer ${where} ORDER BY id LIMIT $${params.push(size + 1)}`,
    params,
  );
  return {
    ...toConnection(rows, size, (row) => row.id),
    totalCount: async () => {
      const countParams: unknown[] = [];
      const countConditions = filterConditions(filter, countParams);
      const [{ count }] = await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM customers.customer ${countConditions.length ? `WHERE ${countConditions.join(' AND ')}` : ''}`,
        countParams,
      );
      return count;
    },
  };
}
