/**
 * Everything a subscription needs before its first event, derived once per
 * subscription and supergraph: the operation authorized for its principal
 * (authorizeOperation: denied fields removed, their paths remembered), the
 * fields its row filters read, @apollo/gateway's plan of the result (the
 * primary fetch opens the stream at the subgraph that owns the root field;
 * the rest resolves each event's fields from other subgraphs) and the shape
 * of each event's response.
 *
 * Guarantees:
 * - the plan is built from the operation after authorization, so no event
 *   ever fetches a field the principal is denied;
 * - a subscription whose root field is denied is refused before anything is
 *   opened (the denial is returned for the audit log);
 * - the row filters are the row scopes that cover the root field's type
 *   (rowScopes.ts): an event is delivered only when each filter allows its
 *   root object, whichever fields the subscriber selected. The fields the
 *   filters read are fetched under reserved aliases (`mg__rs…`) and removed
 *   from every event.
 *
 * Must never: read raw variables (arguments are decided on coerced values),
 * or keep per-event state.
 */
import { getVariableValues } from 'graphql/execution/values';
import { getNamedType, GraphQLError, isObjectType, Kind, parse, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLObjectType, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { operationFromDocument } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, SubscriptionNode } from '@apollo/query-planner';
import type { MeshContext } from '../context';
import type { ServedPlanning } from '../execution/MeshGateway';
import { ResponseShape } from '../execution/plan/ResponseShape';
import { authorizeOperation, HELPER_PREFIX, type AuthorizationPlan, type IntrospectionPolicy } from '../authorization/authorizeOperation';
import type { CompiledPolicy } from '../authorization/compilePolicy';
import type { DeniedPath } from '../authorization/completeResponse';
import { fragmentsOf, type ShieldRule } from '../authorization/ruleTree';
import { meshError } from '../errors';

/** A row scope applied to each event's root object: its rule, and the fields it reads fetched under helper aliases. */
export type RowFilter = { label: string; rule: ShieldRule; selectionSet: SelectionSetNode; alias: (name: string) => string };

export type PreparedSubscription = {
  planning: ServedPlanning;
  authorization: AuthorizationPlan;
  /** The response key of the one root field. */
  rootKey: string;
  rootType: GraphQLObjectType;
  primary: FetchNode;
  /** The rest of the plan, its paths moved under `events.@` so one run serves a batch of events. */
  rest?: PlanNode;
  shape: ResponseShape;
  rowFilters: RowFilter[];
  coercedVariables: Record<string, unknown>;
};

export type PrepareInput = {
  planning: ServedPlanning;
  policy?: CompiledPolicy;
  document: DocumentNode;
  operationName?: string | null;
  variables: Record<string, unknown>;
  context: MeshContext;
  introspection: IntrospectionPolicy;
  onRuleError(rule: string, error: unknown): void;
};

export type PrepareOutcome = { prepared: PreparedSubscription } | { errors: GraphQLError[]; denials?: DeniedPath[] };

const PLANNING_OPTIONS = { recursiveSelectionsLimitDisabled: false, nonLocalSelectionsLimitDisabled: false };

export async function prepareSubscription(input: PrepareInput): Promise<PrepareOutcome> {
  const { planning } = input;
  const operation = operationOf(input.document, input.operationName);
  if (!operation || operation.operation !== 'subscription') return { errors: [meshError('BAD_REQUEST', 'Only subscription operations are served over this transport; send queries and mutations by POST to /graphql')] };
  const { coerced, errors: variableErrors } = getVariableValues(planning.schema, operation.variableDefinitions ?? [], input.variables);
  if (variableErrors) return { errors: [...variableErrors] };
  const rootType = planning.schema.getSubscriptionType();
  const rootField = operation.selectionSet.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value !== '__typename');
  const rootDefinition = rootField && rootType?.getFields()[rootField.name.value];
  if (!rootType || !rootField || !rootDefinition || operation.selectionSet.selections.length !== 1) {
    return { errors: [meshError('BAD_REQUEST', 'A subscription selects exactly one root field, directly (no fragments at the root)')] };
  }
  const rootKey = rootField.alias?.value ?? rootField.name.value;

  let authorization: AuthorizationPlan | undefined;
  let document = input.document;
  if (input.policy) {
    authorization = await authorizeOperation({
      schema: planning.schema,
      policy: input.policy,
      document: input.document,
      operationName: input.operationName,
      variables: coerced,
      context: input.context,
      introspection: input.introspection,
      onRuleError: input.onRuleError,
    });
    const rootDenial = authorization.root.denials.find((denial) => denial.key === rootKey);
    if (rootDenial) {
      const denial: DeniedPath = { path: [rootKey], coordinate: rootDenial.coordinate, rule: rootDenial.rule, reason: rootDenial.reason };
      return { errors: [meshError('FORBIDDEN', `Not authorized to read ${rootDenial.coordinate}: ${rootDenial.reason}`, { rule: rootDenial.rule, reason: rootDenial.reason })], denials: [denial] };
    }
    document = authorization.document;
  }
  const returned = getNamedType(rootDefinition.type);
  const rowFilters = isObjectType(returned) && input.policy ? rowFiltersOf(input.policy, returned) : [];
  document = withRowFilterFields(document, input.operationName, rowFilters);

  let node: SubscriptionNode;
  let rest: PlanNode | undefined;
  try {
    const plan = planning.queryPlanner.buildQueryPlan(operationFromDocument(planning.apiSchema, document, { operationName: input.operationName ?? undefined }), PLANNING_OPTIONS);
    if (plan.node?.kind !== 'Subscription') throw new Error('the plan of a subscription has no subscription node');
    node = plan.node;
    rest = node.rest && underEvents(node.rest);
  } catch (error) {
    return { errors: [new GraphQLError(`The subscription cannot be planned: ${(error as Error).message}`, { extensions: { code: 'BAD_REQUEST' } })] };
  }
  const planned = operationOf(document, input.operationName)!;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return {
    prepared: {
      planning,
      authorization: authorization ?? { document, changed: false, signature: '', root: { denials: [], rowChecks: [], fields: new Map(), includes: [], typeSpecific: false } },
      rootKey,
      rootType,
      primary: node.primary,
      rest,
      shape: new ResponseShape(planning.schema, rootType, planned.selectionSet, fragments, coerced),
      rowFilters,
      coercedVariables: coerced,
    },
  };
}

export function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((candidate) => candidate.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

/** The row-scope checks on objects of `type`: one per scope, each the same rule the scope puts on the type's covered fields. */
function rowFiltersOf(policy: CompiledPolicy, type: GraphQLObjectType): RowFilter[] {
  const byLabel = new Map<string, ShieldRule>();
  for (const fieldName of Object.keys(type.getFields())) {
    for (const part of policy.forField(type.name, fieldName).parts) if (part.label.includes(':rowScope(') && !byLabel.has(part.label)) byLabel.set(part.label, part.rule);
  }
  return [...byLabel].map(([label, rule], index) => {
    const selections = fragmentsOf(rule).flatMap((fragment) => (parse(`{ ${fragment} }`).definitions[0] as OperationDefinitionNode).selectionSet.selections);
    const alias = (name: string) => `${HELPER_PREFIX}rs${index}_${name}`;
    return { label, rule, selectionSet: { kind: Kind.SELECTION_SET, selections }, alias };
  });
}

function aliased(selectionSet: SelectionSetNode, alias: (name: string) => string): SelectionSetNode {
  return {
    ...selectionSet,
    selections: selectionSet.selections.map((selection) => {
      if (selection.kind === Kind.FIELD) {
        return { ...selection, alias: { kind: Kind.NAME, value: alias(selection.name.value) }, selectionSet: selection.selectionSet && aliased(selection.selectionSet, alias) };
      }
      return selection.kind === Kind.INLINE_FRAGMENT ? { ...selection, selectionSet: aliased(selection.selectionSet, alias) } : selection;
    }),
  };
}

/** The document with each filter's fields added to the root field's selection, under helper aliases. */
function withRowFilterFields(document: DocumentNode, operationName: string | null | undefined, filters: RowFilter[]): DocumentNode {
  if (!filters.length) return document;
  const target = operationOf(document, operationName)!;
  return {
    ...document,
    definitions: document.definitions.map((definition) => {
      if (definition !== target) return definition;
      const [root] = target.selectionSet.selections as FieldNode[];
      const added = filters.flatMap((filter) => aliased(filter.selectionSet, filter.alias).selections);
      const selectionSet = { kind: Kind.SELECTION_SET, selections: [...(root.selectionSet?.selections ?? []), ...added] } as SelectionSetNode;
      return { ...target, selectionSet: { ...target.selectionSet, selections: [{ ...root, selectionSet }] } };
    }),
  };
}

/** The object a filter's rule reads, with the field names it expects, from the helper-aliased fields of an event's root object. */
export function rowFilterView(filter: RowFilter, object: Record<string, unknown>): Record<string, unknown> {
  const read = (selectionSet: SelectionSetNode, from: Record<string, unknown>): Record<string, unknown> => {
    const view: Record<string, unknown> = {};
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) Object.assign(view, read(selection.selectionSet, from));
      if (selection.kind !== Kind.FIELD) continue;
      const value = from[filter.alias(selection.name.value)];
      view[selection.name.value] = selection.selectionSet && value && typeof value === 'object' ? read(selection.selectionSet, value as Record<string, unknown>) : value;
    }
    return view;
  };
  return read(filter.selectionSet, object);
}

/** Moves every Flatten of the plan under `events.@`: the plan then runs once over `{ events: [root, root, …] }`. */
function underEvents(node: PlanNode): PlanNode {
  switch (node.kind) {
    case 'Flatten':
      return { ...node, path: ['events', '@', ...node.path] };
    case 'Sequence':
    case 'Parallel':
      return { ...node, nodes: node.nodes.map(underEvents) } as PlanNode;
    case 'Condition':
      return { ...node, ifClause: node.ifClause && underEvents(node.ifClause), elseClause: node.elseClause && underEvents(node.elseClause) };
    default:
      // A fetch at the root of the rest would merge into the batch, not into one event.
      throw new Error(`the plan's ${node.kind} node after the subscription fetch is not under an entity path`);
  }
}
