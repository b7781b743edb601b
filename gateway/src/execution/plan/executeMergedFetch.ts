/**
 * Runs a merged fetch (rewrites/mergeSiblingFetches.ts): the entity fetches it
 * stands for, to one subgraph, in one request.
 *
 * Guarantees: each part's representations, variables, answer merging and
 * error paths are exactly those of its fetch run alone (the same functions
 * do it); parts with no entity in this request are left out of the request,
 * as their fetches would have been skipped, and a merged fetch left with one
 * part sends that part's own operation, unchanged. The request goes through
 * the same data source as any fetch: the same signed principal, timeouts,
 * retries and interceptors.
 *
 * Must never: send a part's selection for entities it was not asked for, or
 * report an error of one part at another part's paths. A subgraph error that
 * names no part (no path) is reported once, on the first part, with no path,
 * as the fetch that caused it would have reported it.
 */
import { GraphQLError } from 'graphql';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { combinedFor, type MergedFetchNode } from './rewrites/MergedFetchNode';
import { dataSourceOf, entityBatch, executePlanNode, fetchVariables, mergeEntities, moveIntoCursor, reportSubgraphErrors, type Cursor, type EntityBatch, type PlanRun } from './executePlanNode';

type Active = { index: number; batch: EntityBatch };

export async function executeMergedFetch(run: PlanRun, node: MergedFetchNode, cursor: Cursor): Promise<void> {
  const active: Active[] = [];
  for (const [index, part] of node.parts.entries()) {
    const partCursor = moveIntoCursor(cursor, part.path);
    if (!partCursor) continue;
    try {
      const batch = entityBatch(run, part.fetch, partCursor);
      if (batch) active.push({ index, batch });
    } catch (error) {
      run.errors.push(asGraphQLError(error));
    }
  }
  if (active.length === 0) return;
  if (active.length === 1) {
    const { path, fetch } = node.parts[active[0].index];
    return executePlanNode(run, path.length ? { kind: 'Flatten', path, node: fetch } : fetch, cursor);
  }

  const combined = combinedFor(node, active.map(({ index }) => index));
  const variables = fetchVariables(run, combined);
  active.forEach(({ batch }, i) => (variables[combined.parts[i].representationsVariable] = batch.representations));
  let response;
  try {
    response = await dataSourceOf(run, node.serviceName).process({
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query: combined.operation, variables, operationName: combined.operationName },
      incomingRequestContext: run.requestContext,
      context: run.requestContext.context,
      document: combined.document,
      pathInIncomingRequest: cursor.path,
    });
  } catch (error) {
    // The fetches alone would each have failed: one error per part, as their Parallel would have reported.
    for (const _ of active) run.errors.push(asGraphQLError(error));
    return;
  }

  const aliasIndex = new Map(combined.parts.map(({ alias }, i) => [alias, i]));
  type SubgraphError = NonNullable<typeof response.errors>[number];
  const errorsOf: SubgraphError[][] = active.map(() => []);
  for (const error of response.errors ?? []) {
    const i = typeof error.path?.[0] === 'string' ? aliasIndex.get(error.path[0]) : undefined;
    if (i === undefined) errorsOf[0].push(error);
    else errorsOf[i].push({ ...error, message: error.message, path: ['_entities', ...error.path!.slice(1)] } as never);
  }
  active.forEach(({ index, batch }, i) => {
    const { fetch } = node.parts[index];
    if (errorsOf[i].length) reportSubgraphErrors(run, node.serviceName, batch.cursor, batch.entitiesOf, errorsOf[i]);
    if (!response.data) return;
    try {
      mergeEntities(run, fetch, batch, response.data[combined.parts[i].alias]);
    } catch (error) {
      run.errors.push(asGraphQLError(error));
    }
  });
}

function asGraphQLError(error: unknown): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError((error as Error).message, { originalError: error as Error });
}
