/** The finance data product as a subgraph: order payments, customers' account transactions, their totals and anomalies. */
import { readSchema, type SubgraphDefinition } from '../lib/subgraph';
import { createLoaders, type FinanceLoaders } from './loaders';
import { resolvers } from './resolvers';
import { seed } from './seed';

export const finance: SubgraphDefinition<FinanceLoaders> = {
  name: 'finance',
  dir: __dirname,
  typeDefs: readSchema(__dirname),
  resolvers,
  createLoaders,
  seed,
};
