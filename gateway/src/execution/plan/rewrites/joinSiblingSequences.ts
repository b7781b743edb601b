/**
 * Rewrite: an entity fetch that a Parallel node sends on its own, beside a
 * Sequence sibling that later sends an entity fetch to the same subgraph, is
 * moved into that Sequence step, next to the other fetch, so that
 * mergeSiblingFetches (which runs after this) sends them as one request.
 * In `Parallel { A(customers), Sequence { B(marketing), C(customers) } }`,
 * A joins C: `Parallel { Sequence { B, Parallel { C, A } } }`, then one
 * customers request instead of two.
 *
 * Guarantees: the response is one the original plan could already give. The
 * moved fetch's input exists when the Parallel starts and it ran concurrently
 * with the whole Sequence before, so any order in which its answer lands
 * among the Sequence's steps was already possible; it now lands at one of
 * them. The Parallel still ends with its slowest branch; the moved fetch only
 * adds the time it takes beyond its new partner's.
 *
 * Must never: move a fetch that is not a direct child of the Parallel (a
 * step of a Sequence, something under a Condition), move it into a Condition,
 * or move it anywhere but beside a fetch to the same subgraph.
 */
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { combineEntityOperations } from './combineEntityOperations';
import type { RewrittenPlanNode } from './MergedFetchNode';
import { rewriteParallels } from './rewriteParallels';

export function joinSiblingSequences(node: RewrittenPlanNode): RewrittenPlanNode {
  return rewriteParallels(node, joinParallel);
}

function joinParallel(children: RewrittenPlanNode[]): RewrittenPlanNode {
  const sequences = children.filter((child): child is Extract<RewrittenPlanNode, { kind: 'Sequence' }> => child.kind === 'Sequence');
  if (sequences.length === 0) return { kind: 'Parallel', nodes: children as PlanNode[] };
  // Where each subgraph is next fetched inside a Sequence sibling: the first step that fetches from it.
  const steps = new Map<string, { sequence: number; step: number; fetch: FetchNode }>();
  sequences.forEach((sequence, s) =>
    sequence.nodes.forEach((step, k) => {
      for (const fetch of leafFetches(step)) if (!steps.has(fetch.serviceName)) steps.set(fetch.serviceName, { sequence: s, step: k, fetch });
    }),
  );
  const moved: RewrittenPlanNode[][][] = sequences.map((sequence) => sequence.nodes.map(() => []));
  const stay: RewrittenPlanNode[] = [];
  for (const child of children) {
    const fetch = child.kind === 'Sequence' ? undefined : leafFetch(child);
    const target = fetch && steps.get(fetch.serviceName);
    // Moved only where it can then be merged: later for nothing would only make it wait.
    if (target && combineEntityOperations([target.fetch, fetch])) moved[target.sequence][target.step].push(child);
    else if (child.kind !== 'Sequence') stay.push(child);
  }
  const rebuilt = sequences.map((sequence, s) => ({
    ...sequence,
    nodes: sequence.nodes.map((step, k) => (moved[s][k].length ? ({ kind: 'Parallel', nodes: [step, ...moved[s][k]] } as PlanNode) : step)),
  }));
  const nodes = children.flatMap((child): RewrittenPlanNode[] => (child.kind === 'Sequence' ? [rebuilt[sequences.indexOf(child)]] : stay.includes(child) ? [child] : []));
  return nodes.length === 1 ? nodes[0] : { kind: 'Parallel', nodes: nodes as PlanNode[] };
}

/** The fetch of an entity fetch leaf (a Flatten over an entity query Fetch), or undefined for anything else. */
function leafFetch(node: RewrittenPlanNode): FetchNode | undefined {
  if (node.kind === 'Flatten' && node.node.kind === 'Fetch' && node.node.requires && node.node.operationKind === 'query') return node.node;
  return undefined;
}

/** The entity fetches a Sequence step sends as leaves: itself, or the leaves of its Parallel. */
export function leafFetches(step: RewrittenPlanNode): FetchNode[] {
  const nodes = step.kind === 'Parallel' ? step.nodes : [step];
  return nodes.map(leafFetch).filter((fetch): fetch is FetchNode => fetch !== undefined);
}
