/** The finance data product as a subgraph: order payments, customers' account transactions, their totals, anomalies and fraud scores. */
import { readSchema, type SubgraphDefinition } from '../lib/subgraph';
import { createLoaders, type FinanceLoaders } from './loaders';
import { resolvers } from './resolvers';
import { seed } from './seed';
import { evaluateServedModel } from './fraud/evaluate';
import { servedModel } from './fraud/model';

export const finance: SubgraphDefinition<FinanceLoaders> = {
  name: 'finance',
  dir: __dirname,
  typeDefs: readSchema(__dirname),
  resolvers,
  createLoaders,
  seed,
  models: { 'fraud-score': (query) => evaluateServedModel(query, servedModel()) },
};
