/**
 * Stage 6 for authorization, after execution: decides row-level fields on each
 * object, puts `null` at every denied path with GraphQL's null propagation
 * (a null in a non-null position nulls the nearest nullable parent), adds one
 * FORBIDDEN error per denied path with the rule and the reason, and removes the
 * helper fields the authorization stage added.
 */
import { GraphQLError, isListType, isNonNullType, type GraphQLOutputType } from 'graphql';
import type { MeshContext } from '../context';
import { HELPER_PREFIX, TYPENAME_HELPER, type AuthorizationPlan, type PathStep } from './authorizeOperation';
import { evaluateRule } from './ruleTree';

type Segment = { key: string | number; type: GraphQLOutputType };
type JsonObject = Record<string, unknown>;

export type DeniedPath = { path: (string | number)[]; coordinate: string; rule: string; reason: string };

export type ExecutionResultLike = { data?: JsonObject | null; errors?: readonly unknown[]; extensions?: JsonObject };

/** Visits every object that holds the last step's field, with the concrete path to it. */
function forEachParent(data: JsonObject, steps: PathStep[], visit: (parent: JsonObject, path: Segment[]) => void) {
  const parentSteps = steps.slice(0, -1);
  const walk = (value: unknown, type: GraphQLOutputType | null, path: Segment[], depth: number) => {
    if (value === null || value === undefined) return;
    const nullable = type && isNonNullType(type) ? type.ofType : type;
    if (nullable && isListType(nullable)) {
      (value as unknown[]).forEach((item, index) => walk(item, nullable.ofType, [...path, { key: index, type: nullable.ofType }], depth));
      return;
    }
    if (depth === parentSteps.length) return visit(value as JsonObject, path);
    const step = parentSteps[depth];
    walk((value as JsonObject)[step.key], step.type, [...path, { key: step.key, type: step.type }], depth + 1);
  };
  walk(data, null, [], 0);
}

function typenameOf(object: JsonObject): string | undefined {
  return (object[TYPENAME_HELPER] ?? object.__typename) as string | undefined;
}

/** Sets null at the path, then moves the null up while the position is non-null. Returns false if data itself became null. */
function nullOut(result: ExecutionResultLike, path: Segment[]): void {
  for (let i = path.length - 1; i >= 0; i--) {
    let container: unknown = result.data;
    for (const segment of path.slice(0, i)) {
      container = (container as Record<string | number, unknown> | null | undefined)?.[segment.key];
    }
    // An earlier denial may already have nulled a parent: nothing left to do.
    if (container === null || container === undefined) return;
    (container as Record<string | number, unknown>)[path[i].key] = null;
    if (!isNonNullType(path[i].type)) return;
  }
  result.data = null;
}

function stripHelpers(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(stripHelpers);
  if (!value || typeof value !== 'object') return;
  for (const key of Object.keys(value)) {
    if (key.startsWith(HELPER_PREFIX)) delete (value as JsonObject)[key];
    else stripHelpers((value as JsonObject)[key]);
  }
}

export async function completeResponse(
  result: ExecutionResultLike,
  plan: AuthorizationPlan,
  context: MeshContext,
  onRuleError: (rule: string, error: unknown) => void,
): Promise<DeniedPath[]> {
  const denied: { path: Segment[]; coordinate: string; rule: string; reason: string }[] = [];
  const data = result.data;
  if (data) {
    for (const check of plan.rowChecks) {
      const instances: { parent: JsonObject; path: Segment[] }[] = [];
      forEachParent(data, check.steps, (parent, path) => instances.push({ parent, path }));
      await Promise.all(
        instances.map(async ({ parent, path }) => {
          const typename = typenameOf(parent);
          if (check.onTypes && typename && !check.onTypes.includes(typename)) return;
          const policies = typename && check.policies.has(typename) ? [check.policies.get(typename)!] : [...check.policies.values()];
          const view: JsonObject = { ...parent };
          for (const [fieldName, alias] of Object.entries(check.helperAliases)) view[fieldName] = parent[alias];
          for (const policy of policies) {
            for (const part of policy.parts) {
              const outcome = await evaluateRule(part.rule, { parent: view, args: check.args, context, info: check.info, onRuleError });
              if (outcome.kind === 'deny') {
                const step = check.steps[check.steps.length - 1];
                denied.push({ path: [...path, { key: step.key, type: step.type }], coordinate: `${typename ?? check.info.parentType.name}.${check.fieldName}`, rule: part.label, reason: outcome.reason });
                return;
              }
            }
          }
        }),
      );
    }
    for (const denial of plan.denials) {
      forEachParent(data, denial.steps, (parent, path) => {
        const typename = typenameOf(parent);
        if (denial.onTypes && typename && !denial.onTypes.includes(typename)) return;
        const step = denial.steps[denial.steps.length - 1];
        denied.push({ path: [...path, { key: step.key, type: step.type }], coordinate: denial.coordinate, rule: denial.rule, reason: denial.reason });
      });
    }
  }
  for (const entry of denied) nullOut(result, entry.path);
  stripHelpers(result.data);
  if (denied.length) {
    const errors = denied.map(
      (entry) =>
        new GraphQLError(`Not authorized to read ${entry.coordinate}: ${entry.reason}`, {
          path: entry.path.map((segment) => segment.key),
          extensions: { code: 'FORBIDDEN', rule: entry.rule, reason: entry.reason },
        }),
    );
    result.errors = [...(result.errors ?? []), ...errors];
  }
  return denied.map((entry) => ({ path: entry.path.map((segment) => segment.key), coordinate: entry.coordinate, rule: entry.rule, reason: entry.reason }));
}
