/**
 * One loader set per request. Every Payment, Transaction and Order reference in a
 * request, and the transaction pages and totals of every customer asked for with
 * the same arguments, cost one SQL statement per kind; every fraud score one
 * statement and one pass of the model.
 */
import DataLoader from 'dataloader';
import type { Db } from '../lib/db';
import { byIdLoader, byParentLoader } from '../lib/loaders';
import { pageSize, toConnection } from '../lib/pagination';
import { idOf } from '../lib/scalars';
import { servedModel } from './fraud/model';
import { fraudScoreLoader } from './fraud/scoring';
import {
  paymentsByIds,
  paymentsByOrderIds,
  sortValueOf,
  transactionsByIds,
  transactionsOfCustomers,
  typeTotalsOfCustomers,
  type CustomerTransactionFilter,
  type TransactionRow,
  type TransactionSort,
  type TypeTotalRow,
} from './store';

export type CustomerKey<TArgs> = { customerId: unknown; args: TArgs };
export type CustomerPageArgs = { filter: CustomerTransactionFilter; first: number | null; after: string | null; sort: TransactionSort };

/**
 * A loader of per-customer results that take arguments. Keys with equal arguments
 * share one statement (`fetch` gets all their customer ids); a failure, such as a
 * bad cursor, fails only the keys of its group.
 */
function perCustomerLoader<TArgs, TValue>(fetch: (customerIds: number[], args: TArgs) => Promise<(customerId: number) => TValue>) {
  return new DataLoader<CustomerKey<TArgs>, TValue, string>(
    async (keys) => {
      const groups = new Map<string, { args: TArgs; ids: Set<number> }>();
      for (const key of keys) {
        const groupKey = JSON.stringify(key.args);
        let group = groups.get(groupKey);
        if (!group) groups.set(groupKey, (group = { args: key.args, ids: new Set() }));
        const id = idOf(key.customerId);
        if (id !== null) group.ids.add(id);
      }
      const results = new Map<string, ((customerId: number) => TValue) | Error>();
      await Promise.all(
        [...groups].map(async ([group, { args, ids }]) => {
          results.set(group, await fetch([...ids], args).catch((error: Error) => error));
        }),
      );
      return keys.map((key) => {
        const result = results.get(JSON.stringify(key.args))!;
        return result instanceof Error ? result : result(idOf(key.customerId) ?? -1);
      });
    },
    { cacheKeyFn: (key) => JSON.stringify([idOf(key.customerId), key.args]), maxBatchSize: 5000 },
  );
}

function groupByCustomer<T extends { customer_id: number }>(rows: T[]) {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const group = groups.get(row.customer_id);
    if (group) group.push(row);
    else groups.set(row.customer_id, [row]);
  }
  return (customerId: number) => groups.get(customerId) ?? [];
}

export const createLoaders = (db: Db) => ({
  payment: byIdLoader((ids) => paymentsByIds(db, ids)),
  paymentsOfOrder: byParentLoader('order_id', (orderIds: number[]) => paymentsByOrderIds(db, orderIds)),
  transaction: byIdLoader((ids) => transactionsByIds(db, ids)),
  customerTransactions: perCustomerLoader(async (customerIds, { filter, first, after, sort }: CustomerPageArgs) => {
    const size = pageSize(first);
    const rows = customerIds.length ? await transactionsOfCustomers(db, customerIds, filter, size, after, sort) : [];
    const rowsOf = groupByCustomer(rows);
    return (customerId) => toConnection<TransactionRow>(rowsOf(customerId), size, sortValueOf(sort));
  }),
  /** Every fraudScore of the request in one scoring pass. */
  fraudScore: fraudScoreLoader(db, servedModel),
  customerTotals: perCustomerLoader(async (customerIds, filter: CustomerTransactionFilter) => {
    const rows = customerIds.length ? await typeTotalsOfCustomers(db, customerIds, filter) : [];
    return groupByCustomer(rows) as (customerId: number) => TypeTotalRow[];
  }),
});

export type FinanceLoaders = ReturnType<typeof createLoaders>;
