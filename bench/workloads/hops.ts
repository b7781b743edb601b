/**
 * Entity hops back and forth across subgraphs, three levels deep, about 50
 * entities per level: a page of orders (sales) → their payment and their
 * customers' transactions (finance, two paths at one level), shipment
 * (logistics), campaign (marketing), customer (customers) → each customer's
 * latest orders (sales again) → their payments (finance again), shipments,
 * conversions (marketing again) → each conversion's customer (customers again).
 * @apollo/query-planner sends one fetch per (subgraph, path); meshgate's plan
 * rewrites merge the fetches to one subgraph that run side by side.
 *
 * Our domains declare no @requires or @provides, so this workload has none on
 * the way (the federation suite covers them with fixture subgraphs).
 */
import type { GraphQLRequest, Workload } from './workload';

export const HOPS_QUERY = /* GraphQL */ `
  query Hops($first: Int!, $perCustomer: Int!) {
    orders(first: $first) {
      edges {
        node {
          id
          total
          payment { amount status }
          shipment { status late carrier { name } }
          campaign { name }
          customer {
            name
            segment
            transactions(first: $perCustomer) { edges { node { amount type } } }
            orders(first: $perCustomer) {
              edges {
                node {
                  id
                  status
                  payment { method }
                  shipment { late }
                  conversion { touchpoints customer { segment country } }
                }
              }
            }
          }
        }
      }
    }
  }
`;

export function hopsRequest(first: number, perCustomer = 1): GraphQLRequest {
  return { query: HOPS_QUERY, operationName: 'Hops', variables: { first, perCustomer } };
}

export function hops(): Workload {
  return {
    name: 'hops',
    description: '50 orders → payment, customer transactions (finance), shipment, campaign, customer → its latest order → payment, shipment, conversion → its customer: 6 subgraphs, 3 levels',
    samples: [hopsRequest(50)],
  };
}
