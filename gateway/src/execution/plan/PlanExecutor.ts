/**
 * meshgate's executor of @apollo/gateway query plans. Planning stays
 * @apollo/gateway's (its query planner, for the supergraph it currently
 * serves); what happens per request is ours:
 *
 * - everything derived from the operation alone (its definition in the
 *   document, the query plan, the response shape) is prepared once per
 *   operation text and kept, where @apollo/gateway rebuilds a federation
 *   operation from the document on every request;
 * - the operation is rewritten before planning where @apollo/query-planner
 *   plans it wrong (@requires of a field with arguments: rewrites/), and the
 *   plan after planning to send fewer fetches (execution.planRewrites), both
 *   once, when the operation is prepared;
 * - the plan's fetches run through the same data sources (entity cache,
 *   signing, retries) and the data is shaped by a precompiled ResponseShape.
 *
 * With tracing on, `meshgate.plan` spans the plan's lookup (and preparing
 * it, meshgate.plan.cached false) and `meshgate.execute` its execution, the
 * parent of every subgraph fetch span.
 *
 * Requests that need what only @apollo/gateway does (introspection fields,
 * usage-reporting traces, subscriptions, the query-plan header in
 * development) are handed to its own executor, unchanged. `@defer` never
 * arrives here: the @defer stage (execution/defer/) runs its parts as
 * operations without it (neither executor can run a plan's DeferNode).
 */
import { getVariableValues } from 'graphql/execution/values';
import { GraphQLError, Kind, visit, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { PlanNode, QueryPlanner, SubscriptionNode } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { LRUCache } from 'lru-cache';
import { conditionKey, conditionVariables } from './conditions';
import { executePlanNode, type PlanRun } from './executePlanNode';
import { ResponseShape } from './ResponseShape';
import { rewritePlan, type RewrittenPlanNode } from './rewrites';
import { aliasRequiredFields, requiredArguments, type RequiredArguments } from './rewrites/aliasRequiredFields';
import { requirementsOf, splitConflictingRequires, type Duplicate, type Requirements } from './rewrites/splitConflictingRequires';
import { mergeDuplicates } from './mergeDuplicates';
import { inSpan, inSpanSync } from '../../../../subgraphs/lib/telemetry/spans';

/** What @apollo/gateway keeps for the supergraph it serves (its fields, read, never written). */
type ApolloGatewayState = { queryPlanner?: QueryPlanner; apiSchema?: Schema; schema?: GraphQLSchema; supergraphSchema?: GraphQLSchema };

type Prepared =
  | { delegate: true }
  | {
      delegate: false;
      operation: OperationDefinitionNode;
      fragments: Record<string, FragmentDefinitionNode>;
      /** The query plan's root node, after meshgate's rewrites when they are on; none for an operation only on __typename. */
      plan: RewrittenPlanNode | undefined;
      conditionVariables: string[];
      /** Aliases given to client fields before planning (aliasRequiredFields), with the client's response key of each. */
      aliases: Map<string, string> | undefined;
      /** Parent fields selected twice for conflicting @requires (splitConflictingRequires), merged back after execution. */
      duplicates: Duplicate[] | undefined;
      /** One shape per value of the @skip/@include variables (one for most operations). */
      shapes: Map<string, ResponseShape>;
    };

type Served = {
  queryPlanner: QueryPlanner;
  apiSchema: Schema;
  schema: GraphQLSchema;
  supergraphSchema: GraphQLSchema;
  prepared: LRUCache<string, Prepared>;
  /** What the supergraph's @requires select with arguments (worked out when first needed). */
  requiredArguments?: RequiredArguments;
  requirements?: Requirements;
};

export type PlanExecutorOptions = {
  /** Operations kept prepared per supergraph (least recently used dropped first). */
  preparedOperations: number;
  /** Development: a request with the Apollo-Query-Plan-Experimental header gets its plan from @apollo/gateway. */
  exposeQueryPlans: boolean;
  /** Runs meshgate's rewrites (rewrites/) over each plan when it is prepared (execution.planRewrites). */
  planRewrites?: boolean;
  /** Told how each request was executed: with a prepared operation, one prepared now, or by @apollo/gateway's executor. */
  onExecution?: (outcome: ExecutionOutcome) => void;
};

export type ExecutionOutcome = 'prepared' | 'planned' | 'apollo';

const PLANNING_OPTIONS = {
  recursiveSelectionsLimitDisabled: process.env.APOLLO_DISABLE_SECURITY_RECURSIVE_SELECTIONS_CHECK === 'true',
  nonLocalSelectionsLimitDisabled: process.env.APOLLO_DISABLE_SECURITY_NON_LOCAL_SELECTIONS_CHECK === 'true',
};

export class PlanExecutor {
  private served?: Served;

  constructor(
    private readonly gateway: ApolloGateway,
    private readonly apolloExecutor: GatewayExecutor,
    private readonly dataSource: (name: string) => GraphQLDataSource | undefined,
    private readonly options: PlanExecutorOptions,
  ) {}

  readonly execute: GatewayExecutor = async (requestContext) => {
    const served = this.current();
    if (!served || !requestContext.queryHash || this.needsApollo(requestContext)) return this.byApollo(requestContext);
    const key = `${requestContext.queryHash}\0${requestContext.operationName ?? ''}`;
    let outcome: ExecutionOutcome = 'prepared';
    const prepared = inSpanSync('meshgate.plan', {}, (span) => {
      let found = served.prepared.get(key);
      if (!found) {
        found = prepare(served, requestContext.document, requestContext.operationName, this.options.planRewrites ?? true);
        served.prepared.set(key, found);
        outcome = 'planned';
      }
      span?.setAttributes({ 'meshgate.plan.cached': outcome === 'prepared', 'meshgate.plan.delegated': found.delegate });
      return found;
    });
    if (prepared.delegate) return this.byApollo(requestContext);
    this.options.onExecution?.(outcome);

    const { coerced, errors: variableErrors } = getVariableValues(served.schema, prepared.operation.variableDefinitions ?? [], requestContext.request.variables ?? {});
    if (variableErrors) return { errors: variableErrors };

    const run: PlanRun = { requestContext, coercedVariables: coerced, supergraphSchema: served.supergraphSchema, dataSource: this.dataSource, errors: [] };
    const unshaped: Record<string, unknown> = Object.create(null);
    return inSpan('meshgate.execute', { attributes: () => ({ 'meshgate.executor': 'meshgate' }) }, async (span) => {
      if (prepared.plan) await executePlanNode(run, prepared.plan, { path: [], data: unshaped, fullResult: unshaped });
      if (prepared.duplicates) mergeDuplicates(unshaped, prepared.duplicates, run.errors);
      span?.setAttribute('meshgate.execute.errors', run.errors.length);
      return shapeResult(served, prepared, coerced, unshaped, run.errors);
    });
  };

  /** What @apollo/gateway serves now; prepared operations belong to one supergraph and go with it. */
  private current(): Served | undefined {
    const state = this.gateway as unknown as ApolloGatewayState;
    if (!state.queryPlanner || !state.apiSchema || !state.schema || !state.supergraphSchema) return undefined;
    if (this.served?.queryPlanner !== state.queryPlanner) {
      this.served = {
        queryPlanner: state.queryPlanner,
        apiSchema: state.apiSchema,
        schema: state.schema,
        supergraphSchema: state.supergraphSchema,
        prepared: new LRUCache({ max: this.options.preparedOperations }),
      };
    }
    return this.served;
  }

  private byApollo(requestContext: GatewayGraphQLRequestContext) {
    this.options.onExecution?.('apollo');
    // @apollo/gateway adds its own spans inside (gateway.plan, gateway.fetch, ...) when tracing is on.
    return inSpan('meshgate.execute', { attributes: () => ({ 'meshgate.executor': 'apollo' }) }, () => this.apolloExecutor(requestContext));
  }

  private needsApollo(requestContext: GatewayGraphQLRequestContext): boolean {
    if ((requestContext.metrics as { captureTraces?: boolean } | undefined)?.captureTraces) return true;
    return this.options.exposeQueryPlans && !!requestContext.request.http?.headers.get('Apollo-Query-Plan-Experimental');
  }
}

function shapeResult(served: Served, prepared: Extract<Prepared, { delegate: false }>, variables: Record<string, unknown>, unshaped: Record<string, unknown>, errors: GraphQLError[]): GatewayExecutionResult {
  try {
    const shapeKey = conditionKey(prepared.conditionVariables, variables);
    let shape = prepared.shapes.get(shapeKey);
    if (!shape) {
      const rootType = served.schema.getRootType(prepared.operation.operation)!;
      shape = new ResponseShape(served.schema, rootType, prepared.operation.selectionSet, prepared.fragments, variables, prepared.aliases);
      prepared.shapes.set(shapeKey, shape);
    }
    const { data, errors: completionErrors } = shape.apply(unshaped);
    // As @apollo/gateway: value-completion errors are reported only when nothing else failed.
    if (errors.length === 0 && completionErrors.length > 0) return { extensions: { valueCompletion: completionErrors }, data };
    return errors.length === 0 ? { data } : { errors: prepared.aliases ? errors.map((error) => unaliased(error, prepared.aliases!)) : errors, data };
  } catch (error) {
    return { errors: [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message, { originalError: error as Error })] };
  }
}

/** A subgraph error at the client's path: meshgate's aliases of client fields (aliasRequiredFields) replaced by the client's keys. */
function unaliased(error: GraphQLError, aliases: Map<string, string>): GraphQLError {
  if (!error.path?.some((segment) => typeof segment === 'string' && aliases.has(segment))) return error;
  const path = error.path.map((segment) => (typeof segment === 'string' ? (aliases.get(segment) ?? segment) : segment));
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path, originalError: error.originalError, extensions: error.extensions });
}

/** Everything about an operation that does not depend on the request, or `delegate` for what only @apollo/gateway executes. */
function prepare(served: Served, document: DocumentNode, operationName: string | null | undefined, planRewrites: boolean): Prepared {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((candidate) => candidate.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation === 'subscription' || needsApolloExecutor(document)) return { delegate: true };
  // apollographql/federation#2996: a client field that a @requires needs with other arguments is planned under an alias.
  served.requiredArguments ??= requiredArguments(served.supergraphSchema);
  const aliased = aliasRequiredFields(served.schema, served.requiredArguments, document);
  const shaped = aliased?.document ?? document;
  const shapedOperation = shaped.definitions[document.definitions.indexOf(operation)] as OperationDefinitionNode;
  // Two @requires needing one field with different arguments: the parent is selected twice, one requirement in each.
  served.requirements ??= requirementsOf(served.supergraphSchema);
  const split = splitConflictingRequires(served.schema, served.requirements, shaped, shapedOperation);
  const planned = split?.document ?? shaped;
  let root: PlanNode | SubscriptionNode | undefined;
  try {
    root = served.queryPlanner.buildQueryPlan(operationFromDocument(served.apiSchema, planned, { operationName: operationName ?? undefined }), PLANNING_OPTIONS).node;
  } catch {
    // @apollo/gateway's executor reports the same failure the way clients already know.
    return { delegate: true };
  }
  if (root && !supported(root)) return { delegate: true };
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of shaped.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const plan = root as PlanNode | undefined;
  // Error paths through a copy are reported at the client's field.
  const aliases = split ? new Map([...(aliased?.aliases ?? []), ...split.duplicates.map(({ alias, key }) => [alias, key] as const)]) : aliased?.aliases;
  return { delegate: false, operation: shapedOperation, aliases, duplicates: split?.duplicates, fragments, plan: plan && planRewrites ? rewritePlan(plan) : plan, conditionVariables: conditionVariables(document), shapes: new Map() };
}

/** Introspection fields and incremental delivery are answered by @apollo/gateway. */
function needsApolloExecutor(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') found = true;
    },
  });
  return found;
}

function supported(node: PlanNode | SubscriptionNode): boolean {
  switch (node.kind) {
    case 'Fetch':
      return true;
    case 'Flatten':
      return supported(node.node);
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every(supported);
    case 'Condition':
      return (!node.ifClause || supported(node.ifClause)) && (!node.elseClause || supported(node.elseClause));
    default:
      return false;
  }
}
