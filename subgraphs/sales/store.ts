/** The sales domain's data access: every SQL statement this product runs. */
import { GraphQLError } from 'graphql';
import type { Db } from '../lib/db';
import { whereClause } from '../lib/sql';
import { afterCursorCondition, pageSize, toConnection, type PageArgs, type SortDirection } from '../lib/pagination';
import { idOf } from '../lib/scalars';

export type OrderRow = {
  id: number;
  customer_id: number;
  placed_at: Date;
  status: string;
  total: number;
  currency: string;
};

export type OrderLineRow = { order_id: number; line_no: number; product_id: number; product_name: string; quantity: number; unit_price: number };

export type OrderFilter = {
  customerId?: string | null;
  status?: string | null;
  placedFrom?: Date | null;
  placedTo?: Date | null;
  minTotal?: number | null;
};

export type OrderSort = { field: 'PLACED_AT' | 'TOTAL'; direction: SortDirection };

const SORT_COLUMNS = { PLACED_AT: 'placed_at', TOTAL: 'total' } as const;
const ORDER_COLUMNS = 'id, customer_id, placed_at, status, total, currency';
/** Orders that earned money: cancelled and returned ones did not. */
const REVENUE_STATUSES = `status NOT IN ('CANCELLED', 'RETURNED')`;

export const ordersByIds = (db: Db, ids: number[]) =>
  db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM sales.orders WHERE id = ANY($1::int[])`, [ids]);

export const linesByOrderIds = (db: Db, orderIds: number[]) =>
  db.query<OrderLineRow>(
    `SELECT order_id, line_no, product_id, product_name, quantity, unit_price FROM sales.order_lines WHERE order_id = ANY($1::int[]) ORDER BY order_id, line_no`,
    [orderIds],
  );

export type CustomerTotalsRow = { customer_id: number; order_count: number; revenue: number };

/**
 * Order count and revenue of many customers in one statement, over all their
 * orders or those in one status: `Customer.orderCount`/`totalSpent` (no status)
 * and the totals of `Customer.orders(status:)` pages, which count every page.
 * Customers without matching orders have no row.
 */
export function customerTotals(db: Db, customerIds: number[], status: string | null) {
  const params: unknown[] = [customerIds];
  const conditions = ['customer_id = ANY($1::int[])'];
  if (status) conditions.push(`status = $${params.push(status)}`);
  return db.query<CustomerTotalsRow>(
    `SELECT customer_id, count(*)::int AS order_count,
            coalesce(sum(total) FILTER (WHERE ${REVENUE_STATUSES}), 0) AS revenue
       FROM sales.orders WHERE ${conditions.join(' AND ')} GROUP BY customer_id`,
    params,
  );
}

function filterConditions(filter: OrderFilter | null | undefined, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (filter?.customerId != null) conditions.push(`customer_id = $${params.push(idOf(filter.customerId) ?? -1)}`);
  if (filter?.status) conditions.push(`status = $${params.push(filter.status)}`);
  if (filter?.placedFrom) conditions.push(`placed_at >= $${params.push(filter.placedFrom)}`);
  if (filter?.placedTo) conditions.push(`placed_at < $${params.push(filter.placedTo)}`);
  if (filter?.minTotal != null) conditions.push(`total >= $${params.push(filter.minTotal)}`);
  return conditions;
}


const sortValueOf = (sort: OrderSort) => (row: OrderRow) =>
  sort.field === 'TOTAL' ? row.total : row.placed_at.toISOString();

export async function orderPage(db: Db, filter: OrderFilter | null | undefined, page: PageArgs, sort: OrderSort) {
  const size = pageSize(page.first);
  const column = SORT_COLUMNS[sort.field];
  const params: unknown[] = [];
  const conditions = filterConditions(filter, params);
  const after = afterCursorCondition(column, 'id', sort.direction, page.after, params);
  if (after) conditions.push(after);
  const rows = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM sales.orders ${whereClause(conditions)}
      ORDER BY ${column} ${sort.direction}, id ${sort.direction} LIMIT $${params.push(size + 1)}`,
    params,
  );
  let totals: Promise<{ count: number; revenue: number }> | undefined;
  const loadTotals = () => {
    const totalParams: unknown[] = [];
    totals ??= db
      .query<{ count: number; revenue: number }>(
        `SELECT count(*)::int AS count, coalesce(sum(total) FILTER (WHERE ${REVENUE_STATUSES}), 0) AS revenue
           FROM sales.orders ${whereClause(filterConditions(filter, totalParams))}`,
        totalParams,
      )
      .then(([row]) => row);
    return totals;
  };
  return {
    ...toConnection(rows, size, sortValueOf(sort)),
    totalCount: async () => (await loadTotals()).count,
    totalRevenue: async () => (await loadTotals()).revenue,
  };
}

/**
 * The newest orders of many customers in one statement: a window function
 * numbers each customer's orders, so every customer gets its own page.
 */
export async function ordersOfCustomers(db: Db, customerIds: number[], status: string | null, size: number, after: string | null) {
  const params: unknown[] = [customerIds];
  const conditions = ['customer_id = ANY($1::int[])'];
  if (status) conditions.push(`status = $${params.push(status)}`);
  const afterCondition = afterCursorCondition('placed_at', 'id', 'DESC', after, params);
  if (afterCondition) conditions.push(afterCondition);
  return db.query<OrderRow & { rank: number }>(
    `SELECT * FROM (
       SELECT ${ORDER_COLUMNS}, row_number() OVER (PARTITION BY customer_id ORDER BY placed_at DESC, id DESC)::int AS rank
         FROM sales.orders WHERE ${conditions.join(' AND ')}
     ) ranked WHERE rank <= $${params.push(size + 1)} ORDER BY customer_id, rank`,
    params,
  );
}

/** Forward moves of the order lifecycle; anything else is refused with a clear error. */
const NEXT_STATUSES: Record<string, string[]> = {
  PLACED: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED', 'RETURNED'],
  DELIVERED: ['RETURNED'],
  CANCELLED: [],
  RETURNED: [],
};

export async function updateOrderStatus(db: Db, id: number | null, status: string): Promise<OrderRow> {
  const [current] = id === null ? [] : await ordersByIds(db, [id]);
  if (!current) throw new GraphQLError(`Order ${id} does not exist`, { extensions: { code: 'NOT_FOUND' } });
  if (!NEXT_STATUSES[current.status].includes(status)) {
    throw new GraphQLError(`Order ${id} cannot move from ${current.status} to ${status}`, {
      extensions: { code: 'BAD_USER_INPUT', allowed: NEXT_STATUSES[current.status] },
    });
  }
  // The status guard makes two concurrent updates of one order safe: only one matches.
  const [updated] = await db.query<OrderRow>(
    `UPDATE sales.orders SET status = $2, updated_at = now() WHERE id = $1 AND status = $3 RETURNING ${ORDER_COLUMNS}`,
    [id, status, current.status],
  );
  if (!updated) throw new GraphQLError(`Order ${id} changed concurrently; retry`, { extensions: { code: 'CONFLICT' } });
  return updated;
}
