/**
 * Stage 3, before planning: decides every field of the operation for this
 * principal and rewrites the operation so that no subgraph is ever asked for a
 * denied field.
 *
 * Guarantees:
 * - a field whose rules deny is removed from the operation, and where it would
 *   have been in the response is remembered (a DecisionScope) so the completion
 *   step can put `null` and a FORBIDDEN error there;
 * - an alias or a fragment cannot hide a field: every field is decided where
 *   it is selected, inside named fragments too;
 * - arguments are data: a field whose arguments filter, search or sort by a
 *   field the principal may not read on every object (`@reads`) is denied like
 *   a field of its own, the reason naming the argument, so the subgraph is
 *   never asked and the denial is audited;
 * - a selection that `@skip`/`@include` removes is removed here too, never
 *   decided: it is not in the answer, so it is neither denied nor fetched;
 * - a field whose rules need the parent object (row-level) stays in the
 *   operation together with the parent fields its rules read (under reserved
 *   aliases), and is decided per object after execution;
 * - the rewritten operation is a new document: the query plan is cached by it,
 *   so principals with different rights never share a plan;
 * - the work is linear in the document: each named fragment is decided and
 *   rewritten once, however often it is spread (a fragment's selections do not
 *   depend on where it is spread: its type condition is its parent type), and
 *   the rewritten document keeps its fragments instead of inlining them. What
 *   a spread adds at its site is a reference to the fragment's scope, never a
 *   copy, so `...F1 ...F1` nested n levels deep costs n, not 2^n.
 *
 * It must never: read raw request variables (arguments are decided on the
 * coerced values, defaults applied, that the subgraph will see), or assume the
 * operation's root type exists.
 */
import { randomUUID } from 'node:crypto';
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isInputObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
} from 'graphql';
import type { MeshContext } from '../context';
import type { CompiledPolicy, FieldPolicy } from './compilePolicy';
import { evaluateRule, UNKNOWN_PARENT, type Outcome } from './ruleTree';
import { argumentCoordinate } from './supergraphFacts';

/** Aliases meshgate adds for its own use start with this; they are removed from responses. */
export const HELPER_PREFIX = 'mg__';
export const TYPENAME_HELPER = `${HELPER_PREFIX}typename`;

/** A field denied before planning, relative to the objects of its scope. */
export type ScopeDenial = {
  /** The response key (alias or name) and the field's declared type. */
  key: string;
  type: GraphQLOutputType;
  /** Concrete parent types the denial applies to (for fields selected on abstract types); null: every object. */
  onTypes: string[] | null;
  coordinate: string;
  rule: string;
  reason: string;
};

export type RowCheck = {
  key: string;
  type: GraphQLOutputType;
  /** Concrete parent types the check applies to (for fields selected under a type condition). */
  onTypes: string[] | null;
  fieldName: string;
  args: Record<string, unknown>;
  /** The field's policy per concrete parent type. */
  policies: Map<string, FieldPolicy>;
  /** Parent fields the rules read, by field name, with the alias they are fetched under. */
  helperAliases: Record<string, string>;
  /** For fields inside a named fragment, `info.path` starts at the fragment. */
  info: GraphQLResolveInfo;
};

/**
 * What is left to do on the objects one selection set applies to: its own
 * denials and row checks, the scopes of its fields' objects (by response key),
 * and the scopes of the named fragments spread into it. A fragment's scope is
 * one object shared by every spread, so the scopes form a graph whose size is
 * the document's; completion walks the data with it.
 */
export type DecisionScope = {
  denials: ScopeDenial[];
  rowChecks: RowCheck[];
  fields: Map<string, { type: GraphQLOutputType; scopes: DecisionScope[] }>;
  includes: { scope: DecisionScope; onTypes: string[] | null }[];
  /** Some decision of this scope (or of a scope it includes) applies to some object types only: the objects' __typename is needed. */
  typeSpecific: boolean;
};

export type AuthorizationPlan = {
  document: DocumentNode;
  changed: boolean;
  /** The decisions on the response's root object. */
  root: DecisionScope;
  /** Identifies the rewrite for this document: equal signatures give equal rewritten documents. */
  signature: string;
};

export type IntrospectionPolicy = 'always' | 'authenticated' | 'never';

/** An operation whose root type the schema does not have (a subscription on a schema without Subscription). */
export class MissingRootTypeError extends Error {
  constructor(readonly operationType: string) {
    super(`This graph has no ${operationType} root type; ${operationType} operations are not supported`);
  }
}

type RewrittenFragment = { definition: FragmentDefinitionNode | null; scope: DecisionScope };

type Walk = {
  schema: GraphQLSchema;
  policy: CompiledPolicy;
  context: MeshContext;
  variables: Record<string, unknown>;
  operation: OperationDefinitionNode;
  introspection: IntrospectionPolicy;
  decisions: Map<string, Promise<Decision>>;
  fragments: Map<string, FragmentDefinitionNode>;
  /** Each named fragment decided and rewritten once (null definition: nothing of it is left). */
  rewritten: Map<string, RewrittenFragment>;
  inProgress: Set<string>;
  /** The outcome of every non-allowed decision, in walk order: the rewrite is a function of it. */
  signature: string[];
  visitedFields: number;
  /** Per scope, the denials and includes it already has: the same one selected again adds nothing (and costs no scan). */
  seen: WeakMap<DecisionScope, Set<unknown>>;
  changed: boolean;
  onRuleError(rule: string, error: unknown): void;
};

const newScope = (): DecisionScope => ({ denials: [], rowChecks: [], fields: new Map(), includes: [], typeSpecific: false });

function firstTime(walk: Walk, scope: DecisionScope, what: unknown): boolean {
  let seen = walk.seen.get(scope);
  if (!seen) walk.seen.set(scope, (seen = new Set()));
  if (seen.has(what)) return false;
  seen.add(what);
  return true;
}

const isEmptyScope = (scope: DecisionScope) => !scope.denials.length && !scope.rowChecks.length && !scope.fields.size && !scope.includes.length;

function selectOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) throw new Error(`Operation ${operationName ?? '(anonymous)'} not found`);
  return operation;
}

function rootTypeOf(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLObjectType {
  const rootType =
    operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!rootType) throw new MissingRootTypeError(operation.operation);
  return rootType;
}

const aliasedField = (alias: string, name: string, selectionSet?: SelectionSetNode): FieldNode => ({
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: alias },
  name: { kind: Kind.NAME, value: name },
  selectionSet,
});

function resolveInfo(walk: Walk, parentType: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, node: FieldNode, keys: string[]): GraphQLResolveInfo {
  return {
    fieldName: field.name,
    fieldNodes: [node],
    returnType: field.type,
    parentType: parentType as never,
    path: keys.reduce<GraphQLResolveInfo['path'] | undefined>((prev, key) => ({ prev, key, typename: undefined }), undefined)!,
    schema: walk.schema,
    fragments: {},
    rootValue: undefined,
    operation: walk.operation,
    variableValues: walk.variables,
  };
}

/** A field an argument reads (`@reads`), and where in the arguments it is given (`filter.search`). */
type ArgumentRead = { argumentPath: string; field: string };

/**
 * The fields the given (coerced, defaults applied) arguments filter, search or
 * sort by: each argument's and input field's own `@reads`, and for enum values
 * (sort fields) the `@reads` of the value given, walking input objects and
 * lists as the schema types them. Null and absent values read nothing.
 */
function fieldsReadByArguments(walk: Walk, typeNames: string[], field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): ArgumentRead[] {
  const found: ArgumentRead[] = [];
  const itemsOf = (value: unknown): unknown[] => (Array.isArray(value) ? value.flatMap(itemsOf) : [value]);
  const visit = (coordinates: string[], argumentPath: string, type: GraphQLInputType, value: unknown) => {
    if (value === null || value === undefined) return;
    for (const coordinate of coordinates) {
      const declared = walk.policy.reads(coordinate);
      if (!declared) continue;
      for (const read of declared.fields) found.push({ argumentPath, field: read });
      for (const item of itemsOf(value)) if (typeof item === 'string') for (const read of declared.byValue?.[item] ?? []) found.push({ argumentPath, field: read });
    }
    const named = getNamedType(type);
    if (!isInputObjectType(named)) return;
    for (const item of itemsOf(value)) {
      if (typeof item !== 'object' || item === null) continue;
      for (const [name, inputField] of Object.entries(named.getFields())) {
        visit([`${named.name}.${name}`], `${argumentPath}.${name}`, inputField.type, (item as Record<string, unknown>)[name]);
      }
    }
  };
  for (const arg of field.args) visit(typeNames.map((typeName) => argumentCoordinate(typeName, field.name, arg.name)), arg.name, arg.type, args[arg.name]);
  return found;
}

type Decision = Outcome & { rule?: string };

/**
 * The field's own rules, then its arguments': an argument that reads a field is
 * allowed only when the principal may read that field on every object. A field
 * readable on some rows only (a row-level rule) cannot be filtered by, or the
 * filter would tell about the other rows.
 */
async function decideField(walk: Walk, policies: FieldPolicy[], args: Record<string, unknown>, info: GraphQLResolveInfo, key: string, readsOf: () => ArgumentRead[] = () => []) {
  let decision = walk.decisions.get(key);
  if (!decision) {
    decision = (async (): Promise<Decision> => {
      let unknown = false;
      for (const policy of policies) {
        for (const part of policy.parts) {
          const outcome = await evaluateRule(part.rule, {
            parent: UNKNOWN_PARENT,
            args,
            context: walk.context,
            info,
            onRuleError: walk.onRuleError,
          });
          if (outcome.kind === 'deny') return { ...outcome, rule: part.label };
          if (outcome.kind === 'unknown') unknown = true;
        }
      }
      for (const { argumentPath, field } of readsOf()) {
        const denied = (await decideRead(walk, field)) ?? (await decideRowSelection(walk, field, info));
        if (denied) return { kind: 'deny', rule: denied.rule, reason: `the argument ${argumentPath} reads ${field}, ${denied.reason}` };
      }
      return unknown ? ({ kind: 'unknown' } as const) : ({ kind: 'allow' } as const);
    })();
    walk.decisions.set(key, decision);
  }
  return decision;
}

/** Why the principal may not filter by `coordinate` (`Type.field`), or null when they may. */
async function decideRead(walk: Walk, coordinate: string): Promise<{ rule: string; reason: string } | null> {
  const [typeName, fieldName] = coordinate.split('.');
  const type = walk.schema.getType(typeName) as GraphQLObjectType | undefined;
  const field = type?.getFields?.()[fieldName];
  // compilePolicy refuses a `@reads` of a field the supergraph lacks; one served by an older policy reads nothing.
  if (!type || !field) return null;
  const decision = await decideField(walk, [walk.policy.forField(typeName, fieldName)], {}, resolveInfo(walk, type, field, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: fieldName } }, [fieldName]), `${coordinate}|{}`);
  if (decision.kind === 'allow') return null;
  if (decision.kind === 'deny') return { rule: decision.rule ?? 'unknown', reason: `which this principal may not read (${decision.reason})` };
  return { rule: `reads:row-level(${coordinate})`, reason: 'which this principal may read on some rows only: filtering by it would tell about the others' };
}

/**
 * Why the principal may not select one entity's rows by `coordinate` (a link to an entity under a row scope that
 * applies to them) on this field, or null: a field whose answer does not hold the rows themselves (a sum, a count)
 * would tell about an entity the scope could not check, row by row, after execution.
 */
async function decideRowSelection(walk: Walk, coordinate: string, info: GraphQLResolveInfo): Promise<{ rule: string; reason: string } | null> {
  const returned = getNamedType(info.returnType).name;
  for (const selector of walk.policy.rowSelectors(coordinate)) {
    if (selector.holdsRows(returned)) continue;
    const applies = await evaluateRule(selector.appliesTo, { parent: UNKNOWN_PARENT, args: {}, context: walk.context, info, onRuleError: walk.onRuleError });
    if (applies.kind === 'deny') continue;
    return {
      rule: `${selector.label}:aggregate`,
      reason: `which selects one ${selector.entity}'s rows, and ${info.parentType.name}.${info.fieldName} answers with ${returned}, not the rows row scope ${selector.scope} checks one by one: ask through the ${selector.entity} instead`,
    };
  }
  return null;
}

/** `@skip(if: true)` or `@include(if: false)`, on the coerced variables: the selection is not part of the answer. */
function isSkipped(walk: Walk, selection: SelectionNode): boolean {
  if (!selection.directives?.length) return false;
  if (getDirectiveValues(GraphQLSkipDirective, selection, walk.variables)?.if === true) return true;
  return getDirectiveValues(GraphQLIncludeDirective, selection, walk.variables)?.if === false;
}

function introspectionAllowed(walk: Walk): boolean {
  if (walk.introspection === 'always') return true;
  if (walk.introspection === 'never') return false;
  return walk.context.principal.kind !== 'anonymous';
}

/** The concrete types objects of `staticType` narrowed to `parentType` can have, or null when that is every object at the path. */
function narrowedTypes(schema: GraphQLSchema, staticType: GraphQLCompositeType, parentType: GraphQLCompositeType): string[] | null {
  if (!isAbstractType(staticType)) return null;
  return isAbstractType(parentType) ? schema.getPossibleTypes(parentType).map((type) => type.name) : [parentType.name];
}

/** A named fragment, decided and rewritten once; later spreads reuse the result. */
async function rewriteFragment(walk: Walk, name: string): Promise<RewrittenFragment | undefined> {
  const done = walk.rewritten.get(name);
  if (done) return done;
  const fragment = walk.fragments.get(name);
  // Unknown fragments and cycles fail validation before this stage; here they only must not loop.
  if (!fragment || walk.inProgress.has(name)) return undefined;
  walk.inProgress.add(name);
  const type = walk.schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType;
  const scope = newScope();
  // Inside the fragment its type condition is the static type: where it is spread, the include says which objects it applies to.
  const selectionSet = await walkSelectionSet(walk, fragment.selectionSet, type, [], scope, type);
  finishScope(scope);
  walk.inProgress.delete(name);
  const rewritten = { definition: selectionSet.selections.length ? { ...fragment, selectionSet } : null, scope };
  if (!rewritten.definition) walk.changed = true;
  walk.rewritten.set(name, rewritten);
  return rewritten;
}

function finishScope(scope: DecisionScope) {
  scope.typeSpecific =
    scope.denials.some((denial) => denial.onTypes) ||
    scope.rowChecks.some((check) => check.onTypes) ||
    scope.includes.some((include) => include.onTypes || include.scope.typeSpecific);
}

/**
 * `parentType` is the type selections apply to here (narrowed by type conditions);
 * `staticType` is the declared type of the objects at this path (a fragment's type condition inside it).
 * Decisions go into `scope`; `keys` is the path from the scope's root, for rules' `info.path`.
 */
async function walkSelectionSet(
  walk: Walk,
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  keys: string[],
  scope: DecisionScope,
  staticType: GraphQLCompositeType = parentType,
): Promise<SelectionSetNode> {
  // Objects at this path may be of several types: decisions made here apply to these types only.
  const onTypes = narrowedTypes(walk.schema, staticType, parentType);
  const selections: SelectionNode[] = [];
  const helperAliases = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (isSkipped(walk, selection)) {
      // Removed, never decided: a skipped field is not in the answer, so it is neither denied nor fetched.
      // The rewrite then depends on the variables: the signature names the selection by its place in the source.
      walk.changed = true;
      walk.signature.push(`s${selection.loc?.start ?? randomUUID()}`);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const rewritten = await rewriteFragment(walk, selection.name.value);
      if (!rewritten) continue;
      // A fragment left empty is not spread, but its denials still apply here.
      if (rewritten.definition) selections.push(selection);
      else walk.changed = true;
      // A scope's objects have one static type, so a fragment's filter here is the same for every spread of it.
      if (!isEmptyScope(rewritten.scope) && firstTime(walk, scope, rewritten.scope)) {
        const condition = walk.schema.getType(walk.fragments.get(selection.name.value)!.typeCondition.name.value) as GraphQLCompositeType;
        scope.includes.push({ scope: rewritten.scope, onTypes: narrowedTypes(walk.schema, staticType, condition) });
      }
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const narrowed = selection.typeCondition ? (walk.schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parentType;
      const inner = await walkSelectionSet(walk, selection.selectionSet, narrowed, keys, scope, staticType);
      if (inner.selections.length) selections.push({ ...selection, selectionSet: inner });
      else walk.changed = true;
      continue;
    }
    const name = selection.name.value;
    const key = selection.alias?.value ?? name;
    if (name === '__typename') {
      selections.push(selection);
      continue;
    }
    const position = walk.visitedFields++;
    if (name === '__schema' || name === '__type') {
      if (introspectionAllowed(walk)) selections.push(selection);
      else {
        walk.changed = true;
        walk.signature.push(`${position}d`);
        scope.denials.push({
          key,
          type: name === '__schema' ? SchemaMetaFieldDef.type : TypeMetaFieldDef.type,
          onTypes: null,
          coordinate: `Query.${name}`,
          rule: 'config:introspection',
          reason: walk.introspection === 'never' ? 'introspection is disabled' : 'introspection requires an authenticated principal',
        });
      }
      continue;
    }
    const field = (parentType as { getFields?: () => Record<string, GraphQLField<unknown, unknown>> }).getFields?.()[name];
    if (!field) {
      selections.push(selection);
      continue;
    }
    const fieldKeys = [...keys, key];
    const args = getArgumentValues(field as never, selection, walk.variables);
    const concreteTypes = isAbstractType(parentType) ? walk.schema.getPossibleTypes(parentType).map((type) => type.name) : [parentType.name];
    const policiesByType = new Map(concreteTypes.map((typeName) => [typeName, walk.policy.forField(typeName, name)]));
    const policies = [...new Set([...(isAbstractType(parentType) ? [walk.policy.forField(parentType.name, name)] : []), ...policiesByType.values()])];
    const info = resolveInfo(walk, parentType, field, selection, fieldKeys);
    const argumentTypes = [...new Set([parentType.name, ...concreteTypes])];
    const decision = await decideField(walk, policies, args, info, `${parentType.name}.${name}|${JSON.stringify(args)}`, () => fieldsReadByArguments(walk, argumentTypes, field, args));
    if (decision.kind === 'deny') {
      walk.changed = true;
      walk.signature.push(`${position}d`);
      const coordinate = `${parentType.name}.${name}`;
      // The same field selected twice (`name name`, or in two inline fragments) is one denial at one path.
      if (firstTime(walk, scope, `${key}|${coordinate}|${onTypes}`)) scope.denials.push({ key, type: field.type, onTypes, coordinate, rule: decision.rule ?? 'unknown', reason: decision.reason });
      continue;
    }
    if (decision.kind === 'unknown') {
      walk.changed = true;
      walk.signature.push(`${position}u`);
      const aliases: Record<string, string> = {};
      for (const policy of policies) {
        for (const parentSelection of policy.parentSelections) {
          if (parentSelection.kind !== Kind.FIELD) continue;
          const alias = `${HELPER_PREFIX}${parentSelection.name.value}`;
          aliases[parentSelection.name.value] = alias;
          if (!helperAliases.has(alias)) {
            helperAliases.add(alias);
            selections.push(aliasedField(alias, parentSelection.name.value, parentSelection.selectionSet));
          }
        }
      }
      scope.rowChecks.push({ key, type: field.type, onTypes, fieldName: name, args, policies: policiesByType, helperAliases: aliases, info });
    }
    if (!selection.selectionSet) {
      selections.push(selection);
      continue;
    }
    const childType = getNamedType(field.type) as GraphQLCompositeType;
    const childScope = newScope();
    let child = await walkSelectionSet(walk, selection.selectionSet, childType, fieldKeys, childScope);
    finishScope(childScope);
    if (!isEmptyScope(childScope)) {
      let entry = scope.fields.get(key);
      if (!entry) scope.fields.set(key, (entry = { type: field.type, scopes: [] }));
      entry.scopes.push(childScope);
    }
    if (child.selections.length === 0 || childScope.typeSpecific) {
      // Keep the field valid (a selection set cannot be empty) and learn each object's type for type-specific denials.
      child = { ...child, selections: [...child.selections, aliasedField(TYPENAME_HELPER, '__typename')] };
    }
    selections.push({ ...selection, selectionSet: child });
  }
  return { ...selectionSet, selections };
}

export async function authorizeOperation(options: {
  schema: GraphQLSchema;
  policy: CompiledPolicy;
  document: DocumentNode;
  operationName?: string | null;
  /** The coerced variables (useVariableCoercion's coercedVariablesOf), defaults applied. */
  variables?: Record<string, unknown>;
  context: MeshContext;
  introspection: IntrospectionPolicy;
  onRuleError(rule: string, error: unknown): void;
}): Promise<AuthorizationPlan> {
  const operation = selectOperation(options.document, options.operationName);
  const rootType = rootTypeOf(options.schema, operation);
  const walk: Walk = {
    schema: options.schema,
    policy: options.policy,
    context: options.context,
    variables: options.variables ?? {},
    operation,
    introspection: options.introspection,
    decisions: new Map(),
    fragments: new Map(
      options.document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((fragment) => [fragment.name.value, fragment]),
    ),
    rewritten: new Map(),
    inProgress: new Set(),
    signature: [],
    visitedFields: 0,
    seen: new WeakMap(),
    changed: false,
    onRuleError: options.onRuleError,
  };
  const root = newScope();
  let selectionSet = await walkSelectionSet(walk, operation.selectionSet, rootType, [], root);
  finishScope(root);
  if (!walk.changed) return { document: options.document, changed: false, root, signature: '' };
  if (selectionSet.selections.length === 0) selectionSet = { ...selectionSet, selections: [aliasedField(TYPENAME_HELPER, '__typename')] };
  // Only the fragments the rewritten operation still spreads, each rewritten once.
  const fragments = [...walk.rewritten.values()].flatMap((rewritten) => (rewritten.definition ? [rewritten.definition] : []));
  return {
    document: { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet }, ...fragments] },
    changed: true,
    root,
    signature: walk.signature.join(','),
  };
}
