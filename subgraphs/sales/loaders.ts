/**
 * One loader set per request. Every Order reference, every order's lines and
 * every customer's order list in a request cost one SQL statement per kind;
 * so do the customers' order totals (orderCount, totalSpent and the
 * totalCount/totalRevenue of their order lists), whichever of them are asked for.
 */
import DataLoader from 'dataloader';
import type { Db } from '../lib/db';
import { byIdLoader, byParentLoader } from '../lib/loaders';
import { pageSize, toConnection, type Connection } from '../lib/pagination';
import { idOf } from '../lib/scalars';
import { customerTotals, linesByOrderIds, ordersByIds, ordersOfCustomers, type OrderRow } from './store';

export type CustomerOrdersKey = { customerId: unknown; status: string | null; first: number | null; after: string | null };

/** A customer's orders, or those in one status. */
export type CustomerTotalsKey = { customerId: number; status: string | null };
export type OrderTotals = { count: number; revenue: number };

/**
 * A page of a customer's orders with every field of OrderConnection: the totals
 * count all pages and are loaded only when asked for.
 */
export type CustomerOrderConnection = Connection<OrderRow> & { totalCount: () => Promise<number>; totalRevenue: () => Promise<number> };

/** Splits keys by the arguments they share; each group costs one statement and fails alone. */
function groupsOf<K>(keys: readonly K[], argumentsOf: (key: K) => unknown): K[][] {
  const groups = new Map<string, K[]>();
  for (const key of keys) {
    const group = JSON.stringify(argumentsOf(key));
    const members = groups.get(group);
    if (members) members.push(key);
    else groups.set(group, [key]);
  }
  return [...groups.values()];
}

function customerTotalsLoader(db: Db) {
  return new DataLoader<CustomerTotalsKey, OrderTotals, string>(
    async (keys) => {
      const totals = new Map<string, OrderTotals | Error>();
      await Promise.all(
        groupsOf(keys, (key) => key.status).map(async (group) => {
          const rows = await customerTotals(db, [...new Set(group.map((key) => key.customerId))], group[0].status).catch((error: Error) => error);
          const byCustomer = rows instanceof Error ? undefined : new Map(rows.map((row) => [row.customer_id, row]));
          for (const key of group) {
            const row = byCustomer?.get(key.customerId);
            totals.set(JSON.stringify(key), rows instanceof Error ? rows : { count: row?.order_count ?? 0, revenue: row?.revenue ?? 0 });
          }
        }),
      );
      return keys.map((key) => totals.get(JSON.stringify(key))!);
    },
    { cacheKeyFn: (key) => JSON.stringify(key), maxBatchSize: 5000 },
  );
}

function customerOrdersLoader(db: Db, totals: DataLoader<CustomerTotalsKey, OrderTotals, string>) {
  return new DataLoader<CustomerOrdersKey, CustomerOrderConnection, string>(
    async (keys) => {
      // Customers asked for with the same arguments share one statement; a bad page size or cursor fails its group only.
      const pages = new Map<string, CustomerOrderConnection | Error>();
      await Promise.all(
        groupsOf(keys, (key) => [key.status, key.first, key.after]).map(async (group) => {
          const { status, first, after } = group[0];
          try {
            const size = pageSize(first);
            const ids = group.map((key) => idOf(key.customerId)).filter((id): id is number => id !== null);
            const rows = ids.length ? await ordersOfCustomers(db, [...new Set(ids)], status, size, after) : [];
            const byCustomer = new Map<number, OrderRow[]>();
            for (const row of rows) {
              const own = byCustomer.get(row.customer_id);
              if (own) own.push(row);
              else byCustomer.set(row.customer_id, [row]);
            }
            for (const key of group) {
              const customerId = idOf(key.customerId) ?? -1;
              const totalsOf = () => totals.load({ customerId, status });
              pages.set(JSON.stringify(key), {
                ...toConnection(byCustomer.get(customerId) ?? [], size, (row) => row.placed_at.toISOString()),
                totalCount: async () => (await totalsOf()).count,
                totalRevenue: async () => (await totalsOf()).revenue,
              });
            }
          } catch (error) {
            for (const key of group) pages.set(JSON.stringify(key), error as Error);
          }
        }),
      );
      return keys.map((key) => pages.get(JSON.stringify(key))!);
    },
    { cacheKeyFn: (key) => JSON.stringify(key), maxBatchSize: 5000 },
  );
}

export function createLoaders(db: Db) {
  const totals = customerTotalsLoader(db);
  return {
    order: byIdLoader((ids) => ordersByIds(db, ids)),
    lines: byParentLoader('order_id', (orderIds) => linesByOrderIds(db, orderIds)),
    customerTotals: totals,
    customerOrders: customerOrdersLoader(db, totals),
  };
}

export type SalesLoaders = ReturnType<typeof createLoaders>;
