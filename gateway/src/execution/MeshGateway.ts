/**
 * Our gateway object: Apollo Server talks to it through Apollo's gateway
 * interface. @apollo/gateway loads the supergraph and plans; meshgate's
 * PlanExecutor runs the plans (execution.executor: apollo hands them back to
 * @apollo/gateway's executor). Owning this seam is what lets meshgate run its
 * own stages around execution (authorization before planning, caching, audit)
 * while @apollo/gateway keeps federation semantics.
 *
 * Contract: it answers what @apollo/gateway's executor would answer (the
 * federation tests run under both executors), changed only by the stages it is
 * given; it reports whether a supergraph is loaded (for /health)
 * and which subgraphs the current supergraph uses (for /ready).
 */
import { ApolloGateway } from '@apollo/gateway';
import type {
  GatewayExecutor,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import type { Schema } from '@apollo/federation-internals';
import type { QueryPlanner } from '@apollo/query-planner';
import type { SupergraphOptions } from '../supergraph/supergraphSource';
import type { Logger } from '../logger';
import { apolloLogger } from '../logger';
import { ANONYMOUS, type Principal } from '../identity/principal';
import { signRequest } from '../../../subgraphs/lib/signing';
import { SubgraphDataSource, type FetchInterceptor, type SubgraphRequestOptions } from './SubgraphDataSource';
import { PlanExecutor, type ExecutionOutcome } from './plan/PlanExecutor';

/** @apollo/gateway's planning state for one supergraph: its planner, API schema (federation's and graphql-js's) and supergraph schema. */
export type ServedPlanning = { queryPlanner: QueryPlanner; apiSchema: Schema; schema: GraphQLSchema; supergraphSchema: GraphQLSchema };

/** A stage wraps the executor: it may change the request before and the result after. */
export type ExecutionStage = (next: GatewayExecutor) => GatewayExecutor;

export type MeshGatewayOptions = {
  supergraph: SupergraphOptions;
  /** Timeouts, retries and the signing key for every subgraph request. */
  subgraphRequests: SubgraphRequestOptions;
  logger: Logger;
  stages?: ExecutionStage[];
  /** Lets clients ask for the query plan with the Apollo-Query-Plan-Experimental header (development only). */
  exposeQueryPlans?: boolean;
  /** Wraps every subgraph fetch (the entity cache and fetch deduplication). */
  interceptFetch?: FetchInterceptor;
  /** Who executes query plans: meshgate's PlanExecutor (default), or @apollo/gateway's own executor. */
  executor?: 'meshgate' | 'apollo';
  /** Operations the PlanExecutor keeps prepared per supergraph. */
  preparedOperations?: number;
  /** meshgate's rewrites of each plan when it is prepared (execution.planRewrites; default on). */
  planRewrites?: boolean;
  /** Told how each request was executed (for the meshgate_query_plan_executions_total metric). */
  onExecution?: (outcome: ExecutionOutcome) => void;
};

export class MeshGateway implements GatewayInterface {
  private readonly inner: ApolloGateway;
  private readonly dataSources = new Map<string, SubgraphDataSource>();
  private loaded = false;

  constructor(private readonly options: MeshGatewayOptions) {
    this.inner = new ApolloGateway({
      ...(options.supergraph as { supergraphSdl: string }),
      logger: apolloLogger(options.logger),
      __exposeQueryPlanExperimental: options.exposeQueryPlans ?? false,
      buildService: ({ name, url }) => {
        if (!url) throw new Error(`Subgraph "${name}" has no URL in the supergraph`);
        const dataSource = new SubgraphDataSource(name, url, options.subgraphRequests, options.interceptFetch);
        // A supergraph update builds every data source anew; the old pool closes once its requests in flight are done.
        void this.dataSources.get(name)?.close().catch(() => undefined);
        this.dataSources.set(name, dataSource);
        return dataSource;
      },
    });
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor: apolloExecutor } = await this.inner.load(options as never);
    this.loaded = true;
    const executor =
      this.options.executor === 'apollo'
        ? (apolloExecutor as GatewayExecutor)
        : new PlanExecutor(this.inner, apolloExecutor as GatewayExecutor, (name) => this.dataSources.get(name), {
            preparedOperations: this.options.preparedOperations ?? 1000,
            planRewrites: this.options.planRewrites ?? true,
            exposeQueryPlans: this.options.exposeQueryPlans ?? false,
            onExecution: this.options.onExecution,
          }).execute;
    // The first stage in the list is the outermost: it sees the request first and the result last.
    const wrapped = (this.options.stages ?? []).reduceRight<GatewayExecutor>((next, stage) => stage(next), executor);
    return { executor: wrapped };
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  async stop() {
    await this.inner.stop();
    await Promise.all([...this.dataSources.values()].map((dataSource) => dataSource.close()));
  }

  get isLoaded() {
    return this.loaded;
  }

  /** Headers that let one request with this body (an anonymous probe, e.g. /ready's) reach signed subgraph `subgraph`. */
  probeHeaders(subgraph: string, body: string): Record<string, string> {
    const signingKey = this.options.subgraphRequests.signingKey;
    return signingKey ? signRequest({ audience: subgraph, principal: ANONYMOUS, body, signingKey }) : {};
  }

  /** Headers that sign one request with this body for subgraph `subgraph` on behalf of `principal` (a subscription's stream). */
  signedHeaders(subgraph: string, principal: Principal, body: string): Record<string, string> {
    const signingKey = this.options.subgraphRequests.signingKey;
    return signingKey ? signRequest({ audience: subgraph, principal, body, signingKey }) : {};
  }

  /** What @apollo/gateway plans with for the supergraph it serves now (read, never written), for subscriptions; undefined before the first load. */
  planning(): ServedPlanning | undefined {
    const state = this.inner as unknown as Partial<ServedPlanning>;
    if (!state.queryPlanner || !state.apiSchema || !state.schema || !state.supergraphSchema) return undefined;
    return { queryPlanner: state.queryPlanner, apiSchema: state.apiSchema, schema: state.schema, supergraphSchema: state.supergraphSchema };
  }

  /** The data source of a subgraph of the current supergraph (signing, timeouts, entity cache). */
  dataSource(name: string): SubgraphDataSource | undefined {
    return this.dataSources.get(name);
  }

  /** Each subgraph's limit on requests in flight, the requests in flight and those waiting (for /metrics). */
  subgraphConcurrency(): { subgraph: string; limit: number; running: number; waiting: number }[] {
    return [...this.dataSources].map(([subgraph, { concurrency }]) => ({ subgraph, limit: concurrency.limit, ...concurrency.load }));
  }

  /** The subgraphs of the current supergraph, by name, with their URLs. */
  subgraphUrls(): Map<string, string> {
    return new Map([...this.dataSources].map(([name, dataSource]) => [name, dataSource.url!]));
  }
}
