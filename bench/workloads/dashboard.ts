/** The dashboard: a page of orders with their customer, payment, shipment and campaign (five subgraphs). */
import type { GraphQLRequest, Workload } from './workload';

export const DASHBOARD_QUERY = /* GraphQL */ `
  query Dashboard($first: Int!, $filter: OrderFilter) {
    orders(first: $first, filter: $filter) {
      totalCount
      edges {
        node {
          id
          placedAt
          status
          total
          currency
          customer { id name segment country }
          payment { method status amount }
          shipment { status late carrier { name } }
          campaign { name channel }
        }
      }
    }
  }
`;

export function dashboardRequest(first: number, filter?: Record<string, unknown>): GraphQLRequest {
  return { query: DASHBOARD_QUERY, operationName: 'Dashboard', variables: filter ? { first, filter } : { first } };
}

export function dashboard(): Workload {
  return {
    name: 'dashboard',
    description: '100 orders with customer, payment, shipment (carrier) and campaign: sales + 4 subgraphs',
    samples: [dashboardRequest(100)],
  };
}
