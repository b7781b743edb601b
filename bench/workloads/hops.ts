/**
 * Entity hops back and forth across subgraphs, three levels deep, about 50
 * entities per level: a page of orders (sales) → what is still owed on each
 * (finance, `amountDue`, which @requires sales' total and status), their lines'
 * products (name from sales, which @provides it; category from products),
 * payment and their customers' transactions (finance, two paths at one level),
 * shipment (logistics), campaign (marketing), customer (customers) → each
 * customer's latest orders (sales again) → what is owed (finance again, with
 * its requirements from sales), their lines' products (name provided, price
 * from products again), payments, shipments, conversions (marketing again) →
 * each conversion's customer (customers again). Fetches are counted per request.
 * @apollo/query-planner sends one fetch per (subgraph, path); meshgate's plan
 * rewrites merge the fetches to one subgraph that run side by side.
 */
import type { GraphQLRequest, Workload } from './workload';

export const HOPS_QUERY = /* GraphQL */ `
  query Hops($first: Int!, $perCustomer: Int!) {
    orders(first: $first) {
      edges {
        node {
          id
          total
          amountDue
          lines { quantity product { name category } }
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
                  amountDue
                  lines { product { name price } }
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
    description:
      '50 orders → amountDue (finance @requires sales\' total and status), lines\' products (name @provides by sales, category from products), payment, customer transactions (finance), shipment, campaign, customer → its latest order → amountDue, products (name provided, price), payment, shipment, conversion → its customer: 6 subgraphs, 3 levels',
    samples: [hopsRequest(50)],
  };
}
