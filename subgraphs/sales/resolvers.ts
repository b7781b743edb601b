import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { DateTime, idOf } from '../lib/scalars';
import type { SubgraphContext } from '../lib/subgraph';
import type { SalesLoaders } from './loaders';
import { orderPage, updateOrderStatus, type OrderLineRow, type OrderRow } from './store';

type Context = SubgraphContext<SalesLoaders>;

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime,
  Query: {
    order: (_, { id }, { loaders }) => loaders.order.load(id),
    orders: (_, { filter, first, after, orderBy }, { db }) =>
      orderPage(db, filter, { first, after }, orderBy ?? { field: 'PLACED_AT', direction: 'DESC' }),
  },
  Mutation: {
    updateOrderStatus: async (_, { id, status }, { db, loaders }) => {
      const order = await updateOrderStatus(db, idOf(id), status);
      loaders.order.clear(id).prime(id, order);
      return order;
    },
  },
  Order: {
    __resolveReference: ({ id }: { id: string }, { loaders }: Context) => loaders.order.load(id),
    customer: (order: OrderRow) => ({ __typename: 'Customer', id: String(order.customer_id) }),
    placedAt: (order: OrderRow) => order.placed_at,
    lines: (order: OrderRow, _: unknown, { loaders }: Context) => loaders.lines.load(order.id),
  },
  OrderLine: {
    lineNo: (line: OrderLineRow) => line.line_no,
    // The name as sold travels with the reference (@provides): a query for lines' product names needs no products fetch.
    product: (line: OrderLineRow) => ({ __typename: 'Product', id: String(line.product_id), name: line.product_name }),
    unitPrice: (line: OrderLineRow) => line.unit_price,
    amount: (line: OrderLineRow) => Math.round(line.quantity * line.unit_price * 100) / 100,
  },
  Customer: {
    // Any customer id is a valid reference here: a customer without orders has an empty list.
    __resolveReference: ({ id }: { id: string }) => ({ id }),
    orders: ({ id }: { id: string }, { status, first, after }, { loaders }: Context) =>
      loaders.customerOrders.load({ customerId: id, status: status ?? null, first: first ?? null, after: after ?? null }),
    orderCount: async ({ id }: { id: string }, _: unknown, { loaders }: Context) =>
      (await loaders.customerTotals.load({ customerId: idOf(id) ?? -1, status: null })).count,
    totalSpent: async ({ id }: { id: string }, _: unknown, { loaders }: Context) =>
      (await loaders.customerTotals.load({ customerId: idOf(id) ?? -1, status: null })).revenue,
  },
};
