/** Single-order lookups by key, spread uniformly over every order: what an application sends most. */
import type { Counts } from '../../subgraphs/lib/scenario';
import type { GraphQLRequest, Workload } from './workload';

const ORDER_QUERY = /* GraphQL */ `
  query Order($id: ID!) {
    order(id: $id) {
      id
      status
      total
      placedAt
      customer { name segment }
      payment { status amount }
      shipment { status }
    }
  }
`;

export function orderRequest(id: number): GraphQLRequest {
  return { query: ORDER_QUERY, operationName: 'Order', variables: { id: String(id) } };
}

export function lookup(counts: Counts): Workload {
  return {
    name: 'lookup',
    description: `one order by id (uniform over ${counts.orders.toLocaleString('en-US')}) with customer, payment, shipment`,
    samples: [orderRequest(42)],
    next: (random) => orderRequest(random.int(1, counts.orders)),
  };
}
