/** The products domain's data access: every SQL statement this product runs. */
import type { Db } from '../lib/db';
import { whereClause } from '../lib/sql';
import { afterCursorCondition, pageSize, toConnection, type PageArgs } from '../lib/pagination';

export type ProductRow = {
  id: number;
  sku: string;
  name: string;
  category: string;
  price: number;
  currency: string;
  active: boolean;
  created_at: Date;
};

export type ProductFilter = { category?: string | null; active?: boolean | null; search?: string | null };

export const productsByIds = (db: Db, ids: number[]) =>
  db.query<ProductRow>(`SELECT * FROM products.product WHERE id = ANY($1::int[])`, [ids]);

function filterConditions(filter: ProductFilter | null | undefined, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (filter?.category) conditions.push(`category = $${params.push(filter.category)}`);
  if (filter?.active != null) conditions.push(`active = $${params.push(filter.active)}`);
  if (filter?.search) conditions.push(`name ILIKE $${params.push(`%${filter.search.replace(/[%_\\]/g, '\\$&')}%`)}`);
  return conditions;
}


export async function productPage(db: Db, filter: ProductFilter | null | undefined, page: PageArgs) {
  const size = pageSize(page.first);
  const params: unknown[] = [];
  const conditions = filterConditions(filter, params);
  const after = afterCursorCondition('id', 'id', 'ASC', page.after, params);
  if (after) conditions.push(after);
  const rows = await db.query<ProductRow>(
    `SELECT * FROM products.product ${whereClause(conditions)} ORDER BY id LIMIT $${params.push(size + 1)}`,
    params,
  );
  return {
    ...toConnection(rows, size, (row) => row.id),
    totalCount: async () => {
      const countParams: unknown[] = [];
      const [{ count }] = await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM products.product ${whereClause(filterConditions(filter, countParams))}`,
        countParams,
      );
      return count;
    },
  };
}
