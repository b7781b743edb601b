/** The customers domain's data access: every SQL statement this product runs. */
import type { Db } from '../lib/db';
import { keysetPage, type PageArgs } from '../lib/pagination';

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

export const customerPage = (db: Db, filter: CustomerFilter | null | undefined, page: PageArgs) =>
  keysetPage<CustomerRow>(
    db,
    { from: 'customers.customer', conditions: (params) => filterConditions(filter, params), sortColumn: 'id', direction: 'ASC', sortValueOf: (row) => row.id },
    page,
  );
