import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { DateTime } from '../lib/scalars';
import type { SubgraphContext } from '../lib/subgraph';
import type { ProductsLoaders } from './loaders';
import { productPage, type ProductRow } from './store';

type Context = SubgraphContext<ProductsLoaders>;

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime,
  Query: {
    product: (_, { id }, { loaders }) => loaders.product.load(id),
    products: (_, { filter, first, after }, { db }) => productPage(db, filter, { first, after }),
  },
  Product: {
    __resolveReference: ({ id }: { id: string }, { loaders }: Context) => loaders.product.load(id),
    createdAt: (product: ProductRow) => product.created_at,
  },
};
