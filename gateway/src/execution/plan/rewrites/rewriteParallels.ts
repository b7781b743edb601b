/**
 * The walk the Parallel-node rewrites share (alignSiblingSequences,
 * joinSiblingSequences, mergeSiblingFetches): every node of the plan is
 * rebuilt bottom up, and each Parallel node's children, already rewritten,
 * are handed to `rewriteParallel`, which returns what stands in its place.
 *
 * Must never: change a node that is not a Parallel, or look into nodes it
 * does not know (they are kept as they are).
 */
import type { PlanNode } from '@apollo/query-planner';
import type { RewrittenPlanNode } from './MergedFetchNode';

export function rewriteParallels(node: RewrittenPlanNode, rewriteParallel: (children: RewrittenPlanNode[]) => RewrittenPlanNode): RewrittenPlanNode {
  const again = (child: RewrittenPlanNode) => rewriteParallels(child, rewriteParallel) as PlanNode;
  switch (node.kind) {
    case 'Sequence':
      return { ...node, nodes: node.nodes.map(again) };
    case 'Parallel':
      return rewriteParallel(node.nodes.map(again));
    case 'Flatten':
      return { ...node, node: again(node.node) };
    case 'Condition':
      return { ...node, ifClause: node.ifClause && again(node.ifClause), elseClause: node.elseClause && again(node.elseClause) };
    default:
      return node;
  }
}
