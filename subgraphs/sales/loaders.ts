/**
 * One loader set per request. Every Order reference, every order's lines and
 * every customer's order list in a request cost one SQL statement per kind.
 */
import DataLoader from 'dataloader';
import type { Db } from '../lib/db';
import { byIdLoader, byParentLoader } from '../lib/loaders';
import { pageSize, toConnection } from '../lib/pagination';
import { idOf } from '../lib/scalars';
import { customerStats, linesByOrderIds, ordersByIds, ordersOfCustomers, type OrderRow } from './store';

export type CustomerOrdersKey = { customerId: unknown; status: string | null; first: number | null; after: string | null };

function customerOrdersLoader(db: Db) {
  return new DataLoader<CustomerOrdersKey, ReturnType<typeof toConnection<OrderRow>>, string>(
    async (keys) => {
      // Customers asked for with the same arguments share one statement.
      const groups = new Map<string, CustomerOrdersKey[]>();
      for (const key of keys) {
        const group = JSON.stringify([key.status, key.first, key.after]);
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const pages = new Map<string, ReturnType<typeof toConnection<OrderRow>>>();
      for (const group of groups.values()) {
        const { status, first, after } = group[0];
        const size = pageSize(first);
        const ids = group.map((key) => idOf(key.customerId)).filter((id): id is number => id !== null);
        const rows = ids.length ? await ordersOfCustomers(db, ids, status, size, after) : [];
        const byCustomer = new Map<number, OrderRow[]>();
        for (const row of rows) byCustomer.set(row.customer_id, [...(byCustomer.get(row.customer_id) ?? []), row]);
        for (const key of group) {
          const own = byCustomer.get(idOf(key.customerId) ?? -1) ?? [];
          pages.set(JSON.stringify(key), toConnection(own, size, (row) => row.placed_at.toISOString()));
        }
      }
      return keys.map((key) => pages.get(JSON.stringify(key))!);
    },
    { cacheKeyFn: (key) => JSON.stringify(key) },
  );
}

export const createLoaders = (db: Db) => ({
  order: byIdLoader((ids) => ordersByIds(db, ids)),
  lines: byParentLoader('order_id', (orderIds) => linesByOrderIds(db, orderIds)),
  customerStats: new DataLoader<number, { order_count: number; total_spent: number }>(async (customerIds) => {
    const rows = await customerStats(db, [...customerIds]);
    const byCustomer = new Map(rows.map((row) => [row.customer_id, row]));
    return customerIds.map((id) => byCustomer.get(id) ?? { order_count: 0, total_spent: 0 });
  }),
  customerOrders: customerOrdersLoader(db),
});

export type SalesLoaders = ReturnType<typeof createLoaders>;
