/**
 * A mix of what dashboards and applications send, with random variables, so a
 * response cache would hit only sometimes: order lookups (half of them on 50
 * hot orders), dashboard pages (12 variants: hit often), a customer with their
 * latest orders (uniform: rarely hit) and a month of orders (24 variants).
 */
import type { Counts } from '../../subgraphs/lib/scenario';
import { dashboardRequest } from './dashboard';
import { orderRequest } from './lookup';
import type { GraphQLRequest, Workload } from './workload';

const CUSTOMER_QUERY = /* GraphQL */ `
  query CustomerOrders($id: ID!) {
    customer(id: $id) {
      name
      segment
      orders(first: 5) { edges { node { id total status payment { status } } } }
    }
  }
`;

const MONTH_QUERY = /* GraphQL */ `
  query OrdersOfMonth($from: DateTime!, $to: DateTime!) {
    orders(first: 20, filter: { placedFrom: $from, placedTo: $to }) {
      totalCount
      totalRevenue
      edges { node { id total customer { segment } shipment { late } } }
    }
  }
`;

/** The 24 months the seed data covers (it ends on 2026-10-31). */
const MONTHS = Array.from({ length: 24 }, (_, i) => [new Date(Date.UTC(2024, 10 + i, 1)).toISOString(), new Date(Date.UTC(2024, 11 + i, 1)).toISOString()]);
const HOT_ORDERS = 50;

const customerRequest = (id: number): GraphQLRequest => ({ query: CUSTOMER_QUERY, operationName: 'CustomerOrders', variables: { id: String(id) } });
const monthRequest = ([from, to]: string[]): GraphQLRequest => ({ query: MONTH_QUERY, operationName: 'OrdersOfMonth', variables: { from, to } });

export function mixed(counts: Counts): Workload {
  return {
    name: 'mixed',
    description: '35% order lookups (half on 50 hot ids), 25% dashboard pages (12 variants), 20% customer + orders, 20% a month of orders',
    samples: [orderRequest(7), dashboardRequest(20, { status: 'SHIPPED' }), customerRequest(42), monthRequest(MONTHS[20])],
    next(random) {
      const kind = random.weighted([['order', 35], ['dashboard', 25], ['customer', 20], ['month', 20]] as const);
      switch (kind) {
        case 'order':
          return orderRequest(random.chance(0.5) ? random.int(1, Math.min(HOT_ORDERS, counts.orders)) : random.int(1, counts.orders));
        case 'dashboard': {
          const status = random.pick([undefined, 'PAID', 'SHIPPED', 'DELIVERED']);
          return dashboardRequest(random.pick([10, 20, 50]), status ? { status } : undefined);
        }
        case 'customer':
          return customerRequest(random.int(1, counts.customers));
        case 'month':
          return monthRequest(random.pick(MONTHS));
      }
    },
  };
}
