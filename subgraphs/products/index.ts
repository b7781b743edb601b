/** The products data product as a subgraph: the catalog of what we sell and at which price. */
import { readSchema, type SubgraphDefinition } from '../lib/subgraph';
import { createLoaders, type ProductsLoaders } from './loaders';
import { resolvers } from './resolvers';
import { seed } from './seed';

export const products: SubgraphDefinition<ProductsLoaders> = {
  name: 'products',
  dir: __dirname,
  typeDefs: readSchema(__dirname),
  resolvers,
  createLoaders,
  seed,
};
