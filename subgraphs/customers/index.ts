/** The customers data product as a subgraph: who our customers are, their segment and contacts. */
import { readSchema, type SubgraphDefinition } from '../lib/subgraph';
import { createLoaders, type CustomersLoaders } from './loaders';
import { resolvers } from './resolvers';
import { seed } from './seed';

export const customers: SubgraphDefinition<CustomersLoaders> = {
  name: 'customers',
  dir: __dirname,
  typeDefs: readSchema(__dirname),
  resolvers,
  createLoaders,
  seed,
};
