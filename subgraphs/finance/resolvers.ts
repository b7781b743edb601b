import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { pageSize } from '../lib/pagination';
import { round2 } from '../lib/random';
import { DateTime, idOf } from '../lib/scalars';
import type { SubgraphContext } from '../lib/subgraph';
import type { FinanceLoaders } from './loaders';
import { transactionEvents } from './events';
import { scoredPage } from './fraud/scoring';
import {
  checkThreshold,
  lazyTotals,
  NEWEST_FIRST,
  summaryOf,
  transactionPage,
  typeTotals,
  type CustomerTransactionFilter,
  type PaymentRow,
  type TransactionRow,
  type TransactionSort,
} from './store';

type Context = SubgraphContext<FinanceLoaders>;
type Reference = { id: string };
/** An Order reference with the sales fields `amountDue` requires (the gateway fetches them from sales first). */
type OrderWithTotal = Reference & { total: number; status: string };

/** Nothing is owed on an order that was cancelled or returned, whatever was captured for it. */
const SETTLED_STATUSES = new Set(['CANCELLED', 'RETURNED']);

/**
 * The same filter always gives the same loader key, whichever way the client
 * wrote it (key order, omitted fields, date formats), so equal arguments share a statement.
 */
const customerFilter = (filter: CustomerTransactionFilter | null | undefined): CustomerTransactionFilter => ({
  types: filter?.types ?? null,
  from: filter?.from ? new Date(filter.from).toISOString() : null,
  to: filter?.to ? new Date(filter.to).toISOString() : null,
  minAmount: filter?.minAmount ?? null,
  maxAmount: filter?.maxAmount ?? null,
  flaggedOnly: filter?.flaggedOnly ?? null,
});

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime,
  Subscription: {
    transactionAdded: {
      subscribe: (_: unknown, { filter }: { filter?: never }, { db }: Context) => transactionEvents(db, 'INSERT', filter),
      resolve: ({ transaction }: { transaction: TransactionRow }) => transaction,
    },
    transactionUpdated: {
      subscribe: (_: unknown, { filter }: { filter?: never }, { db }: Context) => transactionEvents(db, 'UPDATE', filter),
      resolve: ({ transaction }: { transaction: TransactionRow }) => transaction,
    },
  } as never,
  Query: {
    transaction: (_, { id }, { loaders }) => loaders.transaction.load(id),
    payment: (_, { id }, { loaders }) => loaders.payment.load(id),
    transactions: (_, { filter, first, after, orderBy }, { db }) => transactionPage(db, filter, { first, after }, orderBy ?? NEWEST_FIRST),
    transactionSummary: async (_, { filter }, { db }) => summaryOf(await typeTotals(db, filter)),
    anomalousTransactions: (_, { filter, threshold, minScore, first, after }, { db, loaders }) =>
      minScore != null
        ? scoredPage(db, loaders.fraudScore, filter, minScore, { first, after })
        : transactionPage(db, { ...filter, anomalyThreshold: checkThreshold(threshold ?? 3) }, { first, after }, NEWEST_FIRST),
  },
  Payment: {
    __resolveReference: ({ id }: Reference, { loaders }: Context) => loaders.payment.load(id),
    order: (payment: PaymentRow) => ({ __typename: 'Order', id: String(payment.order_id) }),
    paidAt: (payment: PaymentRow) => payment.paid_at,
    refundedAt: (payment: PaymentRow) => payment.refunded_at,
  },
  Order: {
    // Any order id is a valid reference here: an order without a payment has `payment: null`. The reference is
    // kept whole: for `amountDue` it carries sales' total and status (@requires).
    __resolveReference: (reference: Reference) => reference,
    payment: async ({ id }: Reference, _: unknown, { loaders }: Context) => (await loaders.paymentsOfOrder.load(idOf(id) ?? -1))[0] ?? null,
    amountDue: async ({ id, total, status }: OrderWithTotal, _: unknown, { loaders }: Context) => {
      if (SETTLED_STATUSES.has(status)) return 0;
      const payment = (await loaders.paymentsOfOrder.load(idOf(id) ?? -1))[0];
      // Only a captured payment settles: an authorized one may still fail, a failed one paid nothing.
      const captured = payment?.status === 'CAPTURED' ? payment.amount : 0;
      return Math.max(0, round2(total - captured));
    },
  },
  Customer: {
    // Any customer id is a valid reference here: a customer without transactions has empty lists and zero totals.
    __resolveReference: ({ id }: Reference) => ({ id }),
    transactions: async ({ id }: Reference, { filter, first, after, orderBy }, { loaders }: Context) => {
      pageSize(first); // a bad page size is this field's error, not the whole batch's
      const normalized = customerFilter(filter);
      const sort: TransactionSort = orderBy ?? NEWEST_FIRST;
      const page = await loaders.customerTransactions.load({
        customerId: id,
        args: { filter: normalized, first: first ?? null, after: after ?? null, sort: { field: sort.field, direction: sort.direction } },
      });
      return { ...page, ...lazyTotals(() => loaders.customerTotals.load({ customerId: id, args: normalized })) };
    },
    transactionSummary: async ({ id }: Reference, { from, to }, { loaders }: Context) =>
      summaryOf(await loaders.customerTotals.load({ customerId: id, args: customerFilter({ from, to }) })),
  },
  Transaction: {
    __resolveReference: ({ id }: Reference, { loaders }: Context) => loaders.transaction.load(id),
    customer: (transaction: TransactionRow) => ({ __typename: 'Customer', id: String(transaction.customer_id) }),
    occurredAt: (transaction: TransactionRow) => transaction.occurred_at,
    order: (transaction: TransactionRow) => (transaction.order_id === null ? null : { __typename: 'Order', id: String(transaction.order_id) }),
    fraudScore: (transaction: TransactionRow, _: unknown, { loaders }: Context) => loaders.fraudScore.load(transaction),
    anomaly: (transaction: TransactionRow) => ({
      score: transaction.anomaly_score,
      flagged: transaction.flagged,
      reasons: transaction.anomaly_reasons ? transaction.anomaly_reasons.split('\n') : [],
    }),
  },
};
