/**
 * Rewrite: entity fetches to the same subgraph that a Parallel node sends side
 * by side become one request. @apollo/query-planner emits one fetch per
 * (subgraph, path) pair, so a page of orders whose payments and whose
 * customers' transactions both live in finance costs two finance requests at
 * the same moment; after this rewrite it costs one, with one aliased
 * `_entities` selection per original fetch (combineEntityOperations.ts).
 *
 * Guarantees: only siblings of one Parallel node are merged (their inputs all
 * exist before the Parallel starts and none reads what another writes, which
 * is what the planner's Parallel means), so nothing waits longer for its input
 * than before; each original fetch stays a part of the merged node, unchanged,
 * and is answered and merged exactly as alone. The merged request selects
 * exactly the union of what the parts selected.
 *
 * Must never: merge fetches of different subgraphs, root fetches (the planner
 * already sends one per subgraph), mutations, fetches across a Sequence or a
 * Condition, or fetches whose operations cannot be combined: those stay as
 * the planner made them.
 */
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { combineEntityOperations } from './combineEntityOperations';
import type { MergedFetchNode, MergedFetchPart, RewrittenPlanNode } from './MergedFetchNode';
import { rewriteParallels } from './rewriteParallels';

/** A merged node's parts are addressed by bits of a number: at most this many per node. */
const MAX_PARTS = 30;

export function mergeSiblingFetches(node: RewrittenPlanNode): RewrittenPlanNode {
  return rewriteParallels(node, mergeParallel);
}

function mergeParallel(children: RewrittenPlanNode[]): RewrittenPlanNode {
  // A Parallel inside a Parallel runs alongside its siblings all the same.
  const flat = children.flatMap((child): RewrittenPlanNode[] => (child.kind === 'Parallel' ? child.nodes : [child]));
  const groups = new Map<string, { at: number; first: RewrittenPlanNode; parts: MergedFetchPart[] }>();
  const kept: (RewrittenPlanNode | string)[] = [];
  for (const child of flat) {
    const part = entityFetchPart(child);
    const group = part && groups.get(part.fetch.serviceName);
    if (part && group && group.parts.length < MAX_PARTS && combineEntityOperations([...group.parts, part].map((p) => p.fetch))) {
      group.parts.push(part);
      continue;
    }
    if (part && !group) {
      groups.set(part.fetch.serviceName, { at: kept.length, first: child, parts: [part] });
      kept.push(part.fetch.serviceName);
      continue;
    }
    kept.push(child);
  }
  const nodes = kept.map((entry, index) => {
    if (typeof entry !== 'string') return entry;
    const group = groups.get(entry)!;
    if (group.at !== index) return undefined;
    return group.parts.length === 1 ? group.first : merged(entry, group.parts);
  });
  const result = nodes.filter((child): child is RewrittenPlanNode => child !== undefined);
  return result.length === 1 ? result[0] : { kind: 'Parallel', nodes: result as PlanNode[] };
}

/** An entity fetch at a path (Flatten over a Fetch with `requires`), as a part a merged node can hold. */
function entityFetchPart(node: RewrittenPlanNode): MergedFetchPart | undefined {
  if (node.kind === 'Flatten' && node.node.kind === 'Fetch' && isEntityQuery(node.node)) return { path: [...node.path], fetch: node.node };
  if (node.kind === 'Fetch' && isEntityQuery(node)) return { path: [], fetch: node };
  return undefined;
}

function isEntityQuery(fetch: FetchNode): boolean {
  return !!fetch.requires && fetch.operationKind === 'query' && !fetch.contextRewrites?.length && !fetch.hasDefers;
}

function merged(serviceName: string, parts: MergedFetchPart[]): MergedFetchNode {
  return { kind: 'MergedFetch', serviceName, parts, combined: new Map() };
}
