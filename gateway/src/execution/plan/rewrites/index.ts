/**
 * meshgate's rewrites of @apollo/query-planner's plans, in the order they run.
 * They run once per prepared operation (PlanExecutor.prepare), never per
 * request, and only when execution.planRewrites is on (the default).
 *
 * Contract of every rewrite: the client gets byte for byte the response the
 * planner's own plan gives (tests/federation/planRewritesDifferential.test.ts
 * runs every operation of the federation suite and of bench/ both ways), and
 * no subgraph is asked for a field the planner's plan did not ask it for.
 * Authorization has already removed denied fields from the operation the plan
 * was built for, so a rewrite can only ever fetch less than that, never more.
 *
 * Beside them, two rewrites of the operation before planning fix plans the
 * planner gets wrong (aliasRequiredFields, splitConflictingRequires): they
 * are not optimisations, so they run whatever execution.planRewrites says.
 */
import type { PlanNode } from '@apollo/query-planner';
import { alignSiblingSequences } from './alignSiblingSequences';
import { dropRedundantFetches } from './dropRedundantFetches';
import { joinSiblingSequences } from './joinSiblingSequences';
import { mergeSiblingFetches } from './mergeSiblingFetches';
import type { RewrittenPlanNode } from './MergedFetchNode';

export type { RewrittenPlanNode } from './MergedFetchNode';

export function rewritePlan(plan: PlanNode): RewrittenPlanNode {
  // Dropping first leaves only fetches that are needed; aligning and joining then put fetches to one subgraph
  // side by side; merging sends each such group as one request.
  return mergeSiblingFetches(joinSiblingSequences(alignSiblingSequences(dropRedundantFetches(plan))));
}
