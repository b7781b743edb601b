/** The products domain's data access: every SQL statement this product runs. */
import type { Db } from '../lib/db';
import { keysetPage, type PageArgs } from '../lib/pagination';

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


export const productPage = (db: Db, filter: ProductFilter | null | undefined, page: PageArgs) =>
  keysetPage<ProductRow>(
    db,
    { from: 'products.product', conditions: (params) => filterConditions(filter, params), sortColumn: 'id', direction: 'ASC', sortValueOf: (row) => row.id },
    page,
  );
