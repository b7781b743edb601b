/**
 * What a domain exports: everything needed to compose it, serve it, seed it and
 * check it. The same object is served over HTTP by `npm run subgraph`, composed
 * in process by schema/, and started on an ephemeral port by the test harness.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { Db } from './db';
import type { ModelEvaluators } from './quality';
import type { ScenarioOptions } from './scenario';
import type { SignedPrincipal } from './signing';

export type SubgraphContext<TLoaders> = {
  db: Db;
  /** One fresh set per request: dataloader memoizes, so sharing across requests would leak data. */
  loaders: TLoaders;
  /**
   * Who is asking, as the gateway verified it and signed it (see signing.ts), for
   * row-level filtering. Undefined when the server runs without a signing secret:
   * an unsigned principal is never trusted.
   */
  principal?: SignedPrincipal;
};

export type SeedOptions = ScenarioOptions & { log?: NodeJS.WriteStream };

export type SubgraphDefinition<TLoaders = unknown> = {
  /** The domain's name: the subgraph name in the supergraph and the database schema name. */
  name: string;
  /** The folder that holds schema.graphql, dataproduct.yaml and tables.sql. */
  dir: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext<TLoaders>>;
  createLoaders(db: Db): TLoaders;
  /** Seeds the domain's tables from the shared scenario; the tables are empty when it is called. */
  seed(db: Db, options: SeedOptions): Promise<void>;
  /** Evaluators of the models the product serves, for its descriptor's model quality rules. */
  models?: ModelEvaluators;
};

export function readSchema(dir: string): DocumentNode {
  return parse(readFileSync(join(dir, 'schema.graphql'), 'utf8'));
}

export function readTablesSql(dir: string): string {
  return readFileSync(join(dir, 'tables.sql'), 'utf8');
}

/** The domain's events.sql (triggers that publish its changes), or nothing when it publishes none. */
export function readEventsSql(dir: string): string {
  const path = join(dir, 'events.sql');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}
