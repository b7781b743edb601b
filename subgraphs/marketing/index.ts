/** The marketing data product as a subgraph: campaigns and the orders attributed to them. */
import { readSchema, type SubgraphDefinition } from '../lib/subgraph';
import { createLoaders, type MarketingLoaders } from './loaders';
import { resolvers } from './resolvers';
import { seed } from './seed';

export const marketing: SubgraphDefinition<MarketingLoaders> = {
  name: 'marketing',
  dir: __dirname,
  typeDefs: readSchema(__dirname),
  resolvers,
  createLoaders,
  seed,
};
