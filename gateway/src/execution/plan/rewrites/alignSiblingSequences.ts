/**
 * Rewrite: Sequences side by side in a Parallel node that fetch from the same
 * subgraph at the same step are run step by step together, so that those
 * fetches become siblings that mergeSiblingFetches (which runs after this)
 * sends as one request. Two fields of one entity that `@requires` data from two
 * other subgraphs give `Parallel { Sequence { A(customers), X(pricing) },
 * Sequence { B(products), Y(pricing) } }`; aligned, that is
 * `Sequence { Parallel { A, B }, Parallel { X, Y } }`, then one pricing request
 * instead of two.
 *
 * Guarantees: every step of every Sequence still starts after its own earlier
 * steps have completed (it now also waits for the other Sequences' steps of
 * the same rank), and what came after the aligned step still follows it in
 * its own Sequence, so every fetch gets the input it got before; the merge
 * order of independent answers does not change the response. Sequences are
 * aligned only up to the first step where they can merge, so no step waits
 * on another Sequence for nothing.
 *
 * Must never: align a Sequence with anything but a Sequence sibling of the
 * same Parallel, reorder steps within a Sequence, or look into Conditions.
 */
import type { FetchNode, PlanNode, SequenceNode } from '@apollo/query-planner';
import { combineEntityOperations } from './combineEntityOperations';
import { leafFetches } from './joinSiblingSequences';
import type { RewrittenPlanNode } from './MergedFetchNode';
import { rewriteParallels } from './rewriteParallels';

export function alignSiblingSequences(node: RewrittenPlanNode): RewrittenPlanNode {
  return rewriteParallels(node, alignParallel);
}

function alignParallel(children: RewrittenPlanNode[]): RewrittenPlanNode {
  const sequences = children.filter((child): child is SequenceNode => child.kind === 'Sequence');
  const aligned = firstMergeableStep(sequences);
  if (!aligned) return children.length === 1 ? children[0] : { kind: 'Parallel', nodes: children as PlanNode[] };
  const { step, members } = aligned;
  const steps: PlanNode[] = [];
  for (let k = 0; k <= step; k++) steps.push(together(members.map((sequence) => sequence.nodes[k])));
  const tails = members.map((sequence) => sequence.nodes.slice(step + 1)).filter((tail) => tail.length > 0);
  // What follows the aligned step may align again, among the tails.
  if (tails.length) steps.push(alignParallel(tails.map((tail) => (tail.length === 1 ? tail[0] : { kind: 'Sequence', nodes: tail }))) as PlanNode);
  const zipped: PlanNode = { kind: 'Sequence', nodes: steps };
  const rest = children.filter((child) => !members.includes(child as SequenceNode));
  return rest.length ? { kind: 'Parallel', nodes: [zipped, ...(rest as PlanNode[])] } : zipped;
}

const together = (nodes: PlanNode[]): PlanNode => (nodes.length === 1 ? nodes[0] : { kind: 'Parallel', nodes: nodes.flatMap((node) => (node.kind === 'Parallel' ? node.nodes : [node])) });

/** The first step rank at which two or more Sequences fetch from one subgraph with combinable operations, and those Sequences. */
function firstMergeableStep(sequences: SequenceNode[]): { step: number; members: SequenceNode[] } | undefined {
  if (sequences.length < 2) return undefined;
  const longest = Math.max(...sequences.map((sequence) => sequence.nodes.length));
  for (let step = 0; step < longest; step++) {
    const bySubgraph = new Map<string, { sequence: SequenceNode; fetch: FetchNode }[]>();
    for (const sequence of sequences) {
      if (step >= sequence.nodes.length) continue;
      for (const fetch of leafFetches(sequence.nodes[step])) {
        const found = bySubgraph.get(fetch.serviceName) ?? [];
        if (!found.some((entry) => entry.sequence === sequence)) bySubgraph.set(fetch.serviceName, [...found, { sequence, fetch }]);
      }
    }
    for (const entries of bySubgraph.values()) {
      if (entries.length >= 2 && combineEntityOperations(entries.map((entry) => entry.fetch))) return { step, members: entries.map((entry) => entry.sequence) };
    }
  }
  return undefined;
}
