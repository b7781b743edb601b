/**
 * Runs a query plan's nodes (sequence, parallel, flatten, fetch, condition)
 * against the subgraph data sources and merges every answer into one tree of
 * unshaped data, as @apollo/gateway's executeQueryPlan does: entity fetches
 * send the representations their `requires` selects, answers are merged in
 * place, subgraph errors get the response paths of the entities they concern.
 *
 * Differences on purpose: an entity fetch sends each distinct representation
 * once (a subgraph error on it is reported at every entity it stands for), no
 * usage-reporting trace nodes and no OpenTelemetry spans per node (the
 * executor hands requests that need them to @apollo/gateway), and a failed
 * fetch never stops the other branches.
 */
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { GraphQLDataSource } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge';
import { applyRewrites, isObjectOfType } from '@apollo/gateway/dist/dataRewrites';
import { generateHydratedPaths } from '@apollo/gateway/dist/executeQueryPlan';
import { ERRORS, errorCodeDef } from '@apollo/federation-internals';
import type { FetchNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { DistinctRepresentations } from './DistinctRepresentations';
import { executeMergedFetch } from './executeMergedFetch';
import type { RewrittenPlanNode } from './rewrites/MergedFetchNode';

type Data = Record<string, any>;
type ResponsePath = (string | number)[];

export type PlanRun = {
  requestContext: GatewayGraphQLRequestContext;
  /** The request's variables coerced, defaults included: what @include/@skip conditions of the plan read. */
  coercedVariables: Record<string, unknown>;
  supergraphSchema: GraphQLSchema;
  dataSource(name: string): GraphQLDataSource | undefined;
  /** Errors from subgraphs and failed fetches, in the order they happened. */
  errors: GraphQLError[];
};

export type Cursor = { path: ResponsePath; data: Data | Data[]; fullResult: Data };

export async function executePlanNode(run: PlanRun, node: RewrittenPlanNode, cursor: Cursor | undefined): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executePlanNode(run, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executePlanNode(run, child, cursor)));
      return;
    case 'Flatten':
      return executePlanNode(run, node.node, moveIntoCursor(cursor, node.path));
    case 'Fetch':
      try {
        await executeFetch(run, node, cursor);
      } catch (error) {
        run.errors.push(error instanceof GraphQLError ? error : new GraphQLError((error as Error).message, { originalError: error as Error }));
      }
      return;
    case 'MergedFetch':
      return executeMergedFetch(run, node, cursor);
    case 'Condition': {
      const branch = run.coercedVariables[node.condition] === true ? node.ifClause : node.elseClause;
      if (branch) await executePlanNode(run, branch, cursor);
      return;
    }
    default:
      throw new Error(`Query plan node "${node.kind}" is not supported by meshgate's executor`);
  }
}

async function executeFetch(run: PlanRun, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const dataSource = dataSourceOf(run, fetch.serviceName);
  if (!fetch.requires) {
    const entities = Array.isArray(cursor.data) ? cursor.data.filter((entity) => entity != null) : [cursor.data];
    if (entities.length === 0) return;
    const received = await send(run, dataSource, fetch, cursor, fetchVariables(run, fetch));
    if (received) applyRewrites(run.supergraphSchema as never, fetch.outputRewrites, received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }
  const batch = entityBatch(run, fetch, cursor);
  if (batch) await fetchEntities(run, fetch, batch);
}

/** Sends one entity fetch's batch (through `via` when it is a part of a merged fetch) and merges the answer. */
export async function fetchEntities(run: PlanRun, fetch: FetchNode, batch: EntityBatch, via?: Via): Promise<void> {
  const received = await send(run, dataSourceOf(run, fetch.serviceName), fetch, batch.cursor, { ...batch.variables, representations: batch.representations }, batch.entitiesOf, via);
  if (received) mergeEntities(run, fetch, batch, received._entities);
}

export function dataSourceOf(run: PlanRun, serviceName: string): GraphQLDataSource {
  const dataSource = run.dataSource(serviceName);
  if (!dataSource) throw new Error(`Couldn't find service with name "${serviceName}"`);
  return dataSource;
}

/** The client's variables a fetch reads, as the client sent them. */
export function fetchVariables(run: PlanRun, fetch: { variableUsages?: string[] }): Data {
  const variables: Data = {};
  const provided = run.requestContext.request.variables;
  if (fetch.variableUsages && provided) {
    for (const name of fetch.variableUsages) if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
  }
  return variables;
}

/** What one entity fetch sends for the entities at its cursor: each distinct representation once. */
export type EntityBatch = { cursor: Cursor; entities: Data[]; representations: Data[]; entitiesOf: number[][]; variables: Data };

/** The entity fetch's batch at `cursor`, or undefined when no entity there needs it. */
export function entityBatch(run: PlanRun, fetch: FetchNode, cursor: Cursor): EntityBatch | undefined {
  const entities = Array.isArray(cursor.data) ? cursor.data.filter((entity) => entity != null) : [cursor.data];
  if (entities.length === 0) return undefined;
  const variables = fetchVariables(run, fetch);
  // The same entity referenced many times (1,000 orders of a few hundred
  // customers) is asked for once, as the Apollo Router does: the subgraph
  // resolves each distinct representation once and the answer is merged into
  // every entity that stands for it.
  const representations: Data[] = [];
  const entitiesOf: number[][] = [];
  const distinct = new DistinctRepresentations();
  entities.forEach((entity, index) => {
    const representation = selectRepresentation(run.supergraphSchema, entity, fetch.requires!);
    if (representation && representation.__typename) {
      applyRewrites(run.supergraphSchema as never, fetch.inputRewrites, representation);
      const known = distinct.indexFor(representation, representations.length);
      if (known < representations.length) {
        entitiesOf[known].push(index);
        return;
      }
      representations.push(representation);
      entitiesOf.push([index]);
    }
  });
  if (representations.length === 0) return undefined;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
  return { cursor, entities, representations, entitiesOf, variables };
}

/** Merges a subgraph's `_entities` answer into the entities each representation stands for. */
export function mergeEntities(run: PlanRun, fetch: FetchNode, batch: EntityBatch, receivedEntities: unknown): void {
  const { entities, entitiesOf, representations } = batch;
  if (!Array.isArray(receivedEntities)) throw new Error('Expected "data._entities" in response to be an array');
  if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  for (let i = 0; i < receivedEntities.length; i++) {
    const receivedEntity = receivedEntities[i];
    const sharers = entitiesOf[i];
    if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = entities[sharers[0]].__typename;
    applyRewrites(run.supergraphSchema as never, fetch.outputRewrites, receivedEntity);
    for (const index of sharers) deepMerge(entities[index], receivedEntity);
  }
}

type ProcessOptions = Parameters<GraphQLDataSource['process']>[0];
type Via = (options: ProcessOptions, send: (options: ProcessOptions) => Promise<GatewayGraphQLResponse>) => Promise<GatewayGraphQLResponse>;
/** meshgate's SubgraphDataSource: its process() takes where to hand the request instead of sending it. */
type ViaDataSource = { process(options: ProcessOptions, via?: Via): Promise<GatewayGraphQLResponse> };

/** `entitiesOf`: for an entity fetch, the indexes of the entities each representation stands for. */
async function send(run: PlanRun, dataSource: GraphQLDataSource, fetch: FetchNode, cursor: Cursor, variables: Data, entitiesOf?: number[][], via?: Via): Promise<Data | undefined | null> {
  const { requestContext } = run;
  const response = await (dataSource as ViaDataSource).process({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query: fetch.operation, variables, operationName: fetch.operationName },
    incomingRequestContext: requestContext,
    context: requestContext.context,
    document: fetch.operationDocumentNode,
    pathInIncomingRequest: cursor.path,
  }, via);
  if (response.errors) reportSubgraphErrors(run, fetch.serviceName, cursor, entitiesOf, response.errors);
  return response.data;
}

type SubgraphError = GraphQLError | { message?: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };

/** Records a fetch's subgraph errors at the client's paths (one per entity a representation stands for). */
export function reportSubgraphErrors(run: PlanRun, serviceName: string, cursor: Cursor, entitiesOf: number[][] | undefined, errors: readonly SubgraphError[]): void {
  const pathsOf = errorPathGenerator(cursor, entitiesOf);
  for (const error of errors) {
    for (const path of pathsOf(error.path)) run.errors.push(downstreamServiceError(error, serviceName, path));
  }
  const metrics = run.requestContext.metrics as { nonFtv1ErrorPaths?: { subgraph: string; path?: unknown }[] } | undefined;
  if (metrics) (metrics.nonFtv1ErrorPaths ??= []).push(...errors.map((error) => ({ subgraph: serviceName, path: error.path })));
}

/** The fields of `entity` that `requires` selects (its key and @requires fields); null when one is missing. */
function selectRepresentation(schema: GraphQLSchema, source: Data | null, selections: readonly QueryPlanSelectionNode[]): Data | null {
  if (source === null) return null;
  const result: Data = {};
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const key = selection.alias ?? selection.name;
      const value = Object.hasOwn(source, key) ? source[key] : undefined;
      if (value === undefined) return null;
      const sub = selection.selections;
      if (Array.isArray(value)) result[key] = value.map((item) => (sub ? selectRepresentation(schema, item, sub) : item));
      else result[key] = sub ? selectRepresentation(schema, value, sub) : value;
    } else if (selection.typeCondition && isObjectOfType(schema as never, source, selection.typeCondition)) {
      deepMerge(result, selectRepresentation(schema, source, selection.selections));
    }
  }
  return result;
}

export function moveIntoCursor(cursor: Cursor, path: readonly (string | number)[]): Cursor | undefined {
  const data = flattenResultsAtPath(cursor.data, path);
  return data ? { path: cursor.path.concat(path as ResponsePath), data, fullResult: cursor.fullResult } : undefined;
}

function flattenResultsAtPath(value: any, path: readonly (string | number)[], from = 0): any {
  if (from === path.length || value == null) return value;
  const current = path[from];
  if (current === '@') {
    // Array.prototype.flatMap's semantics (one level flattened), written out: flatMap with a closure was 4 times slower on 1,000 elements.
    const flattened: any[] = [];
    for (const element of value as any[]) {
      const inner = flattenResultsAtPath(element, path, from + 1);
      if (Array.isArray(inner)) for (const item of inner) flattened.push(item);
      else flattened.push(inner);
    }
    return flattened;
  }
  if (typeof current !== 'string' || Array.isArray(value)) throw new Error(`Unexpected ${Array.isArray(value) ? 'array' : typeof current} in result for path element ${String(current)}`);
  return flattenResultsAtPath(Object.hasOwn(value, current) ? value[current] : undefined, path, from + 1);
}

/** The client's paths of a subgraph error: one per entity its representation stands for. */
function errorPathGenerator(cursor: Cursor, entitiesOf: number[][] | undefined) {
  let hydratedPaths: ResponsePath[] | undefined;
  return (errorPath: readonly (string | number)[] | undefined): (ResponsePath | undefined)[] => {
    if (entitiesOf && typeof errorPath?.[1] === 'number') {
      if (!hydratedPaths) generateHydratedPaths([], cursor.path, cursor.fullResult, (hydratedPaths = []));
      const rest = errorPath.slice(2);
      return (entitiesOf[errorPath[1]] ?? [errorPath[1]]).map((index) => [...(hydratedPaths![index] ?? []), ...rest]);
    }
    return [errorPath ? [...cursor.path, ...errorPath] : undefined];
  };
}

function downstreamServiceError(original: SubgraphError, serviceName: string, path: ResponsePath | undefined): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = { originalError: original as Error, path, extensions: { ...original.extensions, serviceName } };
  const codeDef = errorCodeDef(original as GraphQLError);
  if (!codeDef && original.extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
