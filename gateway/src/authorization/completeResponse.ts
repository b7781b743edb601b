/**
 * Stage 6 for authorization, after execution: decides row-level fields on each
 * object, puts `null` at every denied path with GraphQL's null propagation
 * (a null in a non-null position nulls the nearest nullable parent), reports
 * the denials as FORBIDDEN errors with the rule and the reason, and removes the
 * helper fields the authorization stage added.
 *
 * Guarantees:
 * - every occurrence of a denied field in the data is nulled (and propagated),
 *   however many there are;
 * - the data is walked once, with the plan's decision scopes: a scope reached
 *   through several fragment spreads is applied once per object, so the cost
 *   is the data's size times the scopes that apply, never the number of ways a
 *   fragment can be reached;
 * - denials are reported per denied path pattern (the path with list indexes
 *   as "*") and rule: a pattern that occurs at most LISTED_PER_PATTERN times
 *   gives one denial per concrete path, exactly as a single denial always
 *   looked; one that occurs more often gives one denial for the whole pattern,
 *   at its first path, with `count` (every occurrence), `pathPattern` and
 *   `paths` (the first SAMPLED_PATHS concrete paths). Nothing is dropped: the
 *   count says how many objects were affected. The same concrete path denied
 *   twice (a field spread through several fragments) is one occurrence;
 * - a denial inside an object that another denial removes is not reported
 *   (its path is not in the response): the outer one is, once.
 */
import { GraphQLError, isListType, isNonNullType, type GraphQLOutputType } from 'graphql';
import type { MeshContext } from '../context';
import { HELPER_PREFIX, TYPENAME_HELPER, type AuthorizationPlan, type DecisionScope, type RowCheck } from './authorizeOperation';
import { evaluateRule } from './ruleTree';

type Segment = { key: string | number; type: GraphQLOutputType };
type JsonObject = Record<string, unknown>;
type Path = (string | number)[];

/** Up to this many occurrences of one pattern, each is its own error and audit record (as for a single denial). */
export const LISTED_PER_PATTERN = 100;
/** A pattern reported as one denial carries this many of its concrete paths. */
export const SAMPLED_PATHS = 10;

/**
 * One denial as reported: in the client's errors and in the audit log.
 * `count`, `pathPattern` and `paths` are set only for an aggregated pattern (more than LISTED_PER_PATTERN occurrences).
 */
export type DeniedPath = {
  path: Path;
  coordinate: string;
  rule: string;
  reason: string;
  count?: number;
  pathPattern?: (string | number)[];
  paths?: Path[];
};

export type ExecutionResultLike = { data?: JsonObject | null; errors?: readonly unknown[]; extensions?: JsonObject };

type Occurrence = { path: Segment[]; coordinate: string; rule: string; reason: string };
type RowInstance = { check: RowCheck; parent: JsonObject; path: Segment[]; typename: string | undefined };

function typenameOf(object: JsonObject): string | undefined {
  return (object[TYPENAME_HELPER] ?? object.__typename) as string | undefined;
}

const appliesTo = (onTypes: string[] | null, typename: string | undefined) => !onTypes || !typename || onTypes.includes(typename);

/** Walks the data with the decision scopes: denied occurrences are collected, row checks gathered with their objects. */
function collect(data: JsonObject, root: DecisionScope) {
  const occurrences: Occurrence[] = [];
  const rows: RowInstance[] = [];
  const visitValue = (value: unknown, type: GraphQLOutputType, path: Segment[], scopes: DecisionScope[]) => {
    if (value === null || value === undefined) return;
    const nullable = isNonNullType(type) ? type.ofType : type;
    if (isListType(nullable)) {
      const items = value as unknown[];
      for (let index = 0; index < items.length; index++) visitValue(items[index], nullable.ofType, [...path, { key: index, type: nullable.ofType }], scopes);
      return;
    }
    visitObject(value as JsonObject, path, scopes);
  };
  const visitObject = (object: JsonObject, path: Segment[], scopes: DecisionScope[]) => {
    const typename = typenameOf(object);
    const applied = new Set<DecisionScope>();
    const pending = [...scopes];
    const children = new Map<string, { type: GraphQLOutputType; scopes: DecisionScope[] }>();
    while (pending.length) {
      const scope = pending.pop()!;
      if (applied.has(scope)) continue;
      applied.add(scope);
      for (const denial of scope.denials) {
        if (appliesTo(denial.onTypes, typename)) occurrences.push({ path: [...path, { key: denial.key, type: denial.type }], coordinate: denial.coordinate, rule: denial.rule, reason: denial.reason });
      }
      for (const check of scope.rowChecks) if (appliesTo(check.onTypes, typename)) rows.push({ check, parent: object, path, typename });
      for (const [key, field] of scope.fields) {
        const child = children.get(key);
        if (child) child.scopes.push(...field.scopes);
        else children.set(key, { type: field.type, scopes: [...field.scopes] });
      }
      for (const include of scope.includes) if (appliesTo(include.onTypes, typename)) pending.push(include.scope);
    }
    for (const [key, child] of children) visitValue(object[key], child.type, [...path, { key, type: child.type }], child.scopes);
  };
  visitObject(data, [], [root]);
  return { occurrences, rows };
}

async function decideRow({ check, parent, path, typename }: RowInstance, context: MeshContext, onRuleError: (rule: string, error: unknown) => void): Promise<Occurrence | null> {
  if (check.onTypes && typename && !check.onTypes.includes(typename)) return null;
  const policies = typename && check.policies.has(typename) ? [check.policies.get(typename)!] : [...check.policies.values()];
  const view: JsonObject = { ...parent };
  for (const [fieldName, alias] of Object.entries(check.helperAliases)) view[fieldName] = parent[alias];
  for (const policy of policies) {
    for (const part of policy.parts) {
      const outcome = await evaluateRule(part.rule, { parent: view, args: check.args, context, info: check.info, onRuleError });
      if (outcome.kind === 'deny') {
        return { path: [...path, { key: check.key, type: check.type }], coordinate: `${typename ?? check.info.parentType.name}.${check.fieldName}`, rule: part.label, reason: outcome.reason };
      }
    }
  }
  return null;
}

/** Sets null at the path, then moves the null up while the position is non-null; data itself becomes null at the root. */
function nullOut(result: ExecutionResultLike, path: Segment[]): void {
  for (let i = path.length - 1; i >= 0; i--) {
    let container: unknown = result.data;
    for (let j = 0; j < i; j++) container = (container as Record<string | number, unknown> | null | undefined)?.[path[j].key];
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

/**
 * Drops denials inside an object another denial removes (a row scope denies `customer.transactions` and, on
 * each of its transactions, `description`): the client never sees those paths, so the outer denial is the
 * one reported and audited. Linear in the paths' total length.
 */
function withoutNested(occurrences: Occurrence[]): Occurrence[] {
  if (occurrences.length < 2) return occurrences;
  // A path as one string, built by appending: each prefix of a path costs one step.
  const step = (prefix: string, segment: Segment) => `${prefix}\u0000${typeof segment.key}:${segment.key}`;
  const denied = new Set(occurrences.map((occurrence) => occurrence.path.reduce(step, '')));
  return occurrences.filter(({ path }) => {
    let prefix = '';
    for (let i = 0; i < path.length - 1; i++) {
      prefix = step(prefix, path[i]);
      if (denied.has(prefix)) return false;
    }
    return true;
  });
}

const patternOf = (path: Path) => path.map((key) => (typeof key === 'number' ? '*' : key));

/** One entry per distinct concrete path, grouped by pattern and rule; large groups become one aggregated denial. */
function report(occurrences: Occurrence[]): DeniedPath[] {
  const groups = new Map<string, { first: Occurrence; paths: Path[] }>();
  const seen = new Set<string>();
  for (const occurrence of occurrences) {
    const path = occurrence.path.map((segment) => segment.key);
    const concrete = `${JSON.stringify(path)}|${occurrence.rule}`;
    if (seen.has(concrete)) continue;
    seen.add(concrete);
    const groupKey = `${JSON.stringify(patternOf(path))}|${occurrence.coordinate}|${occurrence.rule}|${occurrence.reason}`;
    const group = groups.get(groupKey);
    if (group) group.paths.push(path);
    else groups.set(groupKey, { first: occurrence, paths: [path] });
  }
  return [...groups.values()].flatMap(({ first, paths }) => {
    const { coordinate, rule, reason } = first;
    if (paths.length <= LISTED_PER_PATTERN) return paths.map((path) => ({ path, coordinate, rule, reason }));
    return [{ path: paths[0], coordinate, rule, reason, count: paths.length, pathPattern: patternOf(paths[0]), paths: paths.slice(0, SAMPLED_PATHS) }];
  });
}

export function forbiddenError(denial: DeniedPath): GraphQLError {
  const aggregate = denial.count === undefined ? {} : { count: denial.count, pathPattern: denial.pathPattern, paths: denial.paths };
  const message =
    denial.count === undefined
      ? `Not authorized to read ${denial.coordinate}: ${denial.reason}`
      : `Not authorized to read ${denial.coordinate}: ${denial.reason} (${denial.count} occurrences at ${denial.pathPattern!.join('.')})`;
  return new GraphQLError(message, { path: denial.path, extensions: { code: 'FORBIDDEN', rule: denial.rule, reason: denial.reason, ...aggregate } });
}

export async function completeResponse(
  result: ExecutionResultLike,
  plan: AuthorizationPlan,
  context: MeshContext,
  onRuleError: (rule: string, error: unknown) => void,
): Promise<DeniedPath[]> {
  const occurrences: Occurrence[] = [];
  if (result.data) {
    const collected = collect(result.data, plan.root);
    // Row-level denials first, in data order (rules run concurrently).
    const rowDenials = await Promise.all(collected.rows.map((row) => decideRow(row, context, onRuleError)));
    for (const denial of rowDenials) if (denial) occurrences.push(denial);
    occurrences.push(...collected.occurrences);
  }
  const outermost = withoutNested(occurrences);
  for (const occurrence of outermost) nullOut(result, occurrence.path);
  stripHelpers(result.data);
  const denied = report(outermost);
  if (denied.length) result.errors = [...(result.errors ?? []), ...denied.map(forbiddenError)];
  return denied;
}
