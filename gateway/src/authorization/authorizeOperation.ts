/**
 * Stage 3, before planning: decides every field of the operation for this
 * principal and rewrites the operation so that no subgraph is ever asked for a
 * denied field.
 *
 * Guarantees:
 * - a field whose rules deny is removed from the operation, and its response
 *   path is remembered so the completion step can put `null` and a FORBIDDEN
 *   error there;
 * - fragments are inlined first, so an alias or a fragment cannot hide a field;
 * - a field whose rules need the parent object (row-level) stays in the
 *   operation together with the parent fields its rules read (under reserved
 *   aliases), and is decided per object after execution;
 * - the rewritten operation is a new document: the query plan is cached by it,
 *   so principals with different rights never share a plan.
 */
import {
  getArgumentValues,
  getNamedType,
  isAbstractType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
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

/** Aliases meshgate adds for its own use start with this; they are removed from responses. */
export const HELPER_PREFIX = 'mg__';
export const TYPENAME_HELPER = `${HELPER_PREFIX}typename`;

export type PathStep = { key: string; type: GraphQLOutputType };

export type Denial = {
  /** Response keys from the root to the denied field, with each field's declared type. */
  steps: PathStep[];
  /** Concrete parent types the denial applies to (for fields selected on abstract types). */
  onTypes: string[] | null;
  coordinate: string;
  rule: string;
  reason: string;
};

export type RowCheck = {
  steps: PathStep[];
  /** Concrete parent types the check applies to (for fields selected under a type condition). */
  onTypes: string[] | null;
  fieldName: string;
  args: Record<string, unknown>;
  /** The field's policy per concrete parent type. */
  policies: Map<string, FieldPolicy>;
  /** Parent fields the rules read, by field name, with the alias they are fetched under. */
  helperAliases: Record<string, string>;
  info: GraphQLResolveInfo;
};

export type AuthorizationPlan = {
  document: DocumentNode;
  changed: boolean;
  denials: Denial[];
  rowChecks: RowCheck[];
};

export type IntrospectionPolicy = 'always' | 'authenticated' | 'never';

type Walk = {
  schema: GraphQLSchema;
  policy: CompiledPolicy;
  context: MeshContext;
  variables: Record<string, unknown>;
  operation: OperationDefinitionNode;
  introspection: IntrospectionPolicy;
  decisions: Map<string, Promise<Outcome & { rule?: string }>>;
  denials: Denial[];
  rowChecks: RowCheck[];
  changed: boolean;
  onRuleError(rule: string, error: unknown): void;
};

function selectOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) throw new Error(`Operation ${operationName ?? '(anonymous)'} not found`);
  return operation;
}

/** Replaces fragment spreads with inline fragments, so every selection is visible where it applies. */
function inlineFragments(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): SelectionSetNode {
  return {
    ...selectionSet,
    selections: selectionSet.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value)!;
        return {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: fragment.typeCondition,
          directives: selection.directives,
          selectionSet: inlineFragments(fragment.selectionSet, fragments),
        };
      }
      if (selection.selectionSet) return { ...selection, selectionSet: inlineFragments(selection.selectionSet, fragments) };
      return selection;
    }),
  };
}

const aliasedField = (alias: string, name: string, selectionSet?: SelectionSetNode): FieldNode => ({
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: alias },
  name: { kind: Kind.NAME, value: name },
  selectionSet,
});

function resolveInfo(walk: Walk, parentType: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, node: FieldNode, steps: PathStep[]): GraphQLResolveInfo {
  return {
    fieldName: field.name,
    fieldNodes: [node],
    returnType: field.type,
    parentType: parentType as never,
    path: steps.reduce<GraphQLResolveInfo['path'] | undefined>((prev, step) => ({ prev, key: step.key, typename: undefined }), undefined)!,
    schema: walk.schema,
    fragments: {},
    rootValue: undefined,
    operation: walk.operation,
    variableValues: walk.variables,
  };
}

async function decideField(walk: Walk, policies: FieldPolicy[], args: Record<string, unknown>, info: GraphQLResolveInfo, key: string) {
  let decision = walk.decisions.get(key);
  if (!decision) {
    decision = (async () => {
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
      return unknown ? ({ kind: 'unknown' } as const) : ({ kind: 'allow' } as const);
    })();
    walk.decisions.set(key, decision);
  }
  return decision;
}

function introspectionAllowed(walk: Walk): boolean {
  if (walk.introspection === 'always') return true;
  if (walk.introspection === 'never') return false;
  return walk.context.principal.kind !== 'anonymous';
}

/**
 * `parentType` is the type selections apply to here (narrowed by type conditions);
 * `staticType` is the declared type of the objects at this path.
 */
async function walkSelectionSet(
  walk: Walk,
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  steps: PathStep[],
  staticType: GraphQLCompositeType = parentType,
): Promise<SelectionSetNode> {
  // Objects at this path may be of several types: decisions made here apply to these types only.
  const onTypes = isAbstractType(staticType)
    ? isAbstractType(parentType)
      ? walk.schema.getPossibleTypes(parentType).map((type) => type.name)
      : [parentType.name]
    : null;
  const selections: SelectionNode[] = [];
  const helperAliases = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const narrowed = selection.typeCondition ? (walk.schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parentType;
      const inner = await walkSelectionSet(walk, selection.selectionSet, narrowed, steps, staticType);
      if (inner.selections.length) selections.push({ ...selection, selectionSet: inner });
      else walk.changed = true;
      continue;
    }
    if (selection.kind !== Kind.FIELD) continue;
    const name = selection.name.value;
    const key = selection.alias?.value ?? name;
    if (name === '__typename') {
      selections.push(selection);
      continue;
    }
    if (name === '__schema' || name === '__type') {
      if (introspectionAllowed(walk)) selections.push(selection);
      else {
        walk.changed = true;
        walk.denials.push({
          steps: [...steps, { key, type: name === '__schema' ? SchemaMetaFieldDef.type : TypeMetaFieldDef.type }],
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
    const fieldSteps = [...steps, { key, type: field.type }];
    const args = getArgumentValues(field as never, selection, walk.variables);
    const concreteTypes = isAbstractType(parentType) ? walk.schema.getPossibleTypes(parentType).map((type) => type.name) : [parentType.name];
    const policiesByType = new Map(concreteTypes.map((typeName) => [typeName, walk.policy.forField(typeName, name)]));
    const policies = [...new Set([...(isAbstractType(parentType) ? [walk.policy.forField(parentType.name, name)] : []), ...policiesByType.values()])];
    const info = resolveInfo(walk, parentType, field, selection, fieldSteps);
    const decision = await decideField(walk, policies, args, info, `${parentType.name}.${name}|${JSON.stringify(args)}`);
    if (decision.kind === 'deny') {
      walk.changed = true;
      walk.denials.push({
        steps: fieldSteps,
        onTypes,
        coordinate: `${parentType.name}.${name}`,
        rule: decision.rule ?? 'unknown',
        reason: decision.reason,
      });
      continue;
    }
    if (decision.kind === 'unknown') {
      walk.changed = true;
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
      walk.rowChecks.push({ steps: fieldSteps, onTypes, fieldName: name, args, policies: policiesByType, helperAliases: aliases, info });
    }
    if (!selection.selectionSet) {
      selections.push(selection);
      continue;
    }
    const childType = getNamedType(field.type);
    const denialsBefore = walk.denials.length;
    const checksBefore = walk.rowChecks.length;
    let child = await walkSelectionSet(walk, selection.selectionSet, childType as GraphQLCompositeType, fieldSteps);
    const typeSpecific = [...walk.denials.slice(denialsBefore), ...walk.rowChecks.slice(checksBefore)].some(
      (decision) => decision.onTypes && decision.steps.length === fieldSteps.length + 1,
    );
    if (child.selections.length === 0 || typeSpecific) {
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
  variables?: Record<string, unknown>;
  context: MeshContext;
  introspection: IntrospectionPolicy;
  onRuleError(rule: string, error: unknown): void;
}): Promise<AuthorizationPlan> {
  const operation = selectOperation(options.document, options.operationName);
  const fragments = new Map(
    options.document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const rootType =
    operation.operation === 'mutation' ? options.schema.getMutationType() : operation.operation === 'subscription' ? options.schema.getSubscriptionType() : options.schema.getQueryType();
  const walk: Walk = {
    schema: options.schema,
    policy: options.policy,
    context: options.context,
    variables: options.variables ?? {},
    operation,
    introspection: options.introspection,
    decisions: new Map(),
    denials: [],
    rowChecks: [],
    changed: false,
    onRuleError: options.onRuleError,
  };
  const inlined = fragments.size ? inlineFragments(operation.selectionSet, fragments) : operation.selectionSet;
  let selectionSet = await walkSelectionSet(walk, inlined, rootType!, []);
  if (selectionSet.selections.length === 0) selectionSet = { ...selectionSet, selections: [aliasedField(TYPENAME_HELPER, '__typename')] };
  if (!walk.changed) return { document: options.document, changed: false, denials: [], rowChecks: [] };
  return {
    document: { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet }] },
    changed: true,
    denials: walk.denials,
    rowChecks: walk.rowChecks,
  };
}
