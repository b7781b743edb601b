/**
 * The plan node that mergeSiblingFetches puts in place of several entity
 * fetches to one subgraph that a Parallel node would have sent side by side:
 * one request answers them all (executeMergedFetch.ts runs it).
 *
 * Each part keeps the planner's FetchNode unchanged (its representations,
 * rewrites and error paths are worked out exactly as for the fetch alone) and
 * the path its Flatten node had. The combined operation for the parts that have
 * entities in a given request is built once per set of parts and kept.
 */
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { combineEntityOperations, type CombinedOperation } from './combineEntityOperations';

export type MergedFetchPart = { path: (string | number)[]; fetch: FetchNode };

export type MergedFetchNode = {
  kind: 'MergedFetch';
  serviceName: string;
  parts: MergedFetchPart[];
  /** Combined operations by the bit set of the parts they answer (prepared lazily, then kept with the plan). */
  combined: Map<number, CombinedOperation>;
};

/** A query plan after meshgate's rewrites: @apollo/query-planner's nodes, and merged fetches anywhere a node may be. */
export type RewrittenPlanNode = PlanNode | MergedFetchNode;

export function isMergedFetch(node: { kind: string }): node is MergedFetchNode {
  return node.kind === 'MergedFetch';
}

/** The operation answering the parts whose indexes are `active` (at least two, in order). */
export function combinedFor(node: MergedFetchNode, active: readonly number[]): CombinedOperation {
  let mask = 0;
  for (const index of active) mask |= 1 << index;
  let combined = node.combined.get(mask);
  if (!combined) {
    // Every subset of parts that combined when the plan was rewritten combines too: fewer variables can only conflict less.
    combined = combineEntityOperations(active.map((index) => node.parts[index].fetch))!;
    node.combined.set(mask, combined);
  }
  return combined;
}
