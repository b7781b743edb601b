/**
 * Runs a merged fetch (rewrites/mergeSiblingFetches.ts): the entity fetches it
 * stands for, to one subgraph, in one request.
 *
 * Each part runs exactly as its fetch alone would (the same functions work
 * out its representations, merge its answer and place its errors), through
 * the data source with its interceptors: the entity cache serves a part's
 * hits and asks only for its misses, deduplication may share it. Only what
 * reaches the network is gathered (FetchBatch.ts) and sent as one request by
 * the data source itself: the same signed principal, timeouts, retries.
 * Parts with no entity in this request are left out, as their fetches would
 * have been skipped; a merged fetch left with one part runs it alone.
 *
 * Must never: send a part's selection for entities it was not asked for, or
 * report an error of one part at another part's paths.
 */
import { GraphQLError } from 'graphql';
import { combinedFor, type MergedFetchNode } from './rewrites/MergedFetchNode';
import { FetchBatch } from './FetchBatch';
import { entityBatch, executePlanNode, fetchEntities, moveIntoCursor, type Cursor, type EntityBatch, type PlanRun } from './executePlanNode';

export async function executeMergedFetch(run: PlanRun, node: MergedFetchNode, cursor: Cursor): Promise<void> {
  const active: { index: number; entities: EntityBatch }[] = [];
  for (const [index, part] of node.parts.entries()) {
    const partCursor = moveIntoCursor(cursor, part.path);
    if (!partCursor) continue;
    try {
      const entities = entityBatch(run, part.fetch, partCursor);
      if (entities) active.push({ index, entities });
    } catch (error) {
      run.errors.push(asGraphQLError(error));
    }
  }
  if (active.length === 0) return;
  if (active.length === 1) {
    const { path, fetch } = node.parts[active[0].index];
    return executePlanNode(run, path.length ? { kind: 'Flatten', path, node: fetch } : fetch, cursor);
  }
  const batch = new FetchBatch(active.length, (handed) => combinedFor(node, handed.map((i) => active[i].index)));
  await Promise.all(
    active.map(async ({ index, entities }, i) => {
      try {
        await fetchEntities(run, node.parts[index].fetch, entities, batch.via(i));
      } catch (error) {
        run.errors.push(asGraphQLError(error));
      } finally {
        batch.finish();
      }
    }),
  );
}

function asGraphQLError(error: unknown): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError((error as Error).message, { originalError: error as Error });
}
