import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { DateTime } from '../lib/scalars';
import type { SubgraphContext } from '../lib/subgraph';
import type { CustomersLoaders } from './loaders';
import { customerPage, type CustomerRow } from './store';

type Context = SubgraphContext<CustomersLoaders>;

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime,
  Query: {
    customer: (_, { id }, { loaders }) => loaders.customer.load(id),
    customers: (_, { filter, first, after }, { db }) => customerPage(db, filter, { first, after }),
  },
  Customer: {
    __resolveReference: ({ id }: { id: string }, { loaders }: Context) => loaders.customer.load(id),
    signedUpAt: (customer: CustomerRow) => customer.signed_up_at,
    accountManager: (customer: CustomerRow) => customer.account_manager,
  },
};
