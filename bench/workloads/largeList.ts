/** A large list: 1,000 orders with their customer's segment and payment amount (three subgraphs). */
import type { Workload } from './workload';

const LARGE_LIST_QUERY = /* GraphQL */ `
  query LargeList {
    orders(first: 1000) {
      edges { node { id total customer { segment } payment { amount } } }
    }
  }
`;

export function largeList(): Workload {
  return {
    name: 'large-list',
    description: '1,000 orders with customer segment and payment amount: sales + customers + finance',
    samples: [{ query: LARGE_LIST_QUERY, operationName: 'LargeList' }],
  };
}
