/** The logistics data product as a subgraph: shipments, carriers and delivery performance by zone. */
import { readSchema, type SubgraphDefinition } from '../lib/subgraph';
import { createLoaders, type LogisticsLoaders } from './loaders';
import { resolvers } from './resolvers';
import { seed } from './seed';

export const logistics: SubgraphDefinition<LogisticsLoaders> = {
  name: 'logistics',
  dir: __dirname,
  typeDefs: readSchema(__dirname),
  resolvers,
  createLoaders,
  seed,
};
