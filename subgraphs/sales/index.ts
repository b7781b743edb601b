/** The sales data product as a subgraph: orders, their lines, and each customer's order history. */
import { readSchema, type SubgraphDefinition } from '../lib/subgraph';
import { createLoaders, type SalesLoaders } from './loaders';
import { resolvers } from './resolvers';
import { seed } from './seed';

export const sales: SubgraphDefinition<SalesLoaders> = {
  name: 'sales',
  dir: __dirname,
  typeDefs: readSchema(__dirname),
  resolvers,
  createLoaders,
  seed,
};
