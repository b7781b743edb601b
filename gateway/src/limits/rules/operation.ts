/**
 * What every limit rule shares: the rule signature, the violation it returns,
 * and the small facts about an operation they all need (which operation runs,
 * its fragments, whether `@skip`/`@include` drop a selection, argument values).
 * Rules only read the document; they never throw on a strange one (validation
 * reports those) and always terminate, even on fragment cycles.
 */
import {
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValueNode,
} from 'graphql';
import type { LimitName, Limits } from '../config';

export type Variables = Readonly<Record<string, unknown>> | null | undefined;

export type LimitViolation = {
  limit: Exclude<LimitName, 'defaultListSize' | 'scalarCost' | 'maxBodyBytes'>;
  max: number;
  actual: number;
  /** One sentence without the role, e.g. "Query depth 14 exceeds the limit of 12". */
  message: string;
};

/**
 * A limit rule: measures the operation named `operationName` (or, without a
 * name, every operation of the document, reporting the worst) and returns the
 * violation, or null within the limit.
 */
export type LimitRule = (
  document: DocumentNode,
  schema: GraphQLSchema,
  variables: Variables,
  limits: Limits,
  operationName?: string | null,
) => LimitViolation | null;

/** The operations a request may run: the named one, else all of them (the worst counts). */
export function operationsToMeasure(document: DocumentNode, operationName?: string | null): OperationDefinitionNode[] {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operationName) return operations;
  return operations.filter((operation) => operation.name?.value === operationName);
}

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** The worst measure over the operations to measure; 0 when there is none. */
export function worst(document: DocumentNode, operationName: string | null | undefined, measure: (operation: OperationDefinitionNode) => number): number {
  return operationsToMeasure(document, operationName).reduce((max, operation) => Math.max(max, measure(operation)), 0);
}

/**
 * The value of an argument or directive argument: a literal, or a variable
 * from the request (else the variable's default in the operation). `undefined`
 * when it is not given at all, so the caller can apply the schema's default.
 */
export function argumentValue(value: ValueNode, operation: OperationDefinitionNode, variables: Variables): unknown {
  if (value.kind !== Kind.VARIABLE) return valueFromASTUntyped(value, variables ?? undefined);
  const name = value.name.value;
  if (variables && Object.hasOwn(variables, name)) return variables[name];
  const defaultValue = variableDefaultsOf(operation).get(name);
  return defaultValue ? valueFromASTUntyped(defaultValue) : undefined;
}

/**
 * The default value of each variable of an operation, by name, built once per operation (a plain search per use
 * would make an operation with thousands of variables, each used once, quadratic). Keyed weakly by the AST node,
 * which is immutable: it holds no per-request state.
 */
const variableDefaults = new WeakMap<OperationDefinitionNode, Map<string, ValueNode | undefined>>();
function variableDefaultsOf(operation: OperationDefinitionNode): Map<string, ValueNode | undefined> {
  let defaults = variableDefaults.get(operation);
  if (!defaults) {
    defaults = new Map();
    for (const definition of operation.variableDefinitions ?? []) {
      if (!defaults.has(definition.variable.name.value)) defaults.set(definition.variable.name.value, definition.defaultValue);
    }
    variableDefaults.set(operation, defaults);
  }
  return defaults;
}

function conditionOf(directives: readonly DirectiveNode[] | undefined, name: 'skip' | 'include', operation: OperationDefinitionNode, variables: Variables): unknown {
  const argument = directives?.find((directive) => directive.name.value === name)?.arguments?.find((arg) => arg.name.value === 'if');
  return argument ? argumentValue(argument.value, operation, variables) : undefined;
}

/** False only when `@skip(if: true)` or `@include(if: false)` certainly drops the selection. */
export function isIncluded(selection: SelectionNode, operation: OperationDefinitionNode, variables: Variables): boolean {
  return conditionOf(selection.directives, 'skip', operation, variables) !== true && conditionOf(selection.directives, 'include', operation, variables) !== false;
}

/**
 * The fields that start an introspection selection. They are measured by the IntrospectionRule with bounds of
 * their own, and the data rules (depth, cost, aliases) skip them with everything under them: an introspection
 * query is as deep and wide as the type system, not as the data. Recognised by name wherever they appear, since
 * names starting with `__` are reserved (no schema can declare one), so a misplaced one still gets the
 * introspection bounds before validation refuses it.
 */
export const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type']);

export function isIntrospectionField(field: FieldNode): boolean {
  return INTROSPECTION_FIELDS.has(field.name.value);
}

/** a + b, capped at Number.MAX_SAFE_INTEGER: counts over expanded fragments can exceed any exact number. */
export function saturatingAdd(a: number, b: number): number {
  return Math.min(a + b, Number.MAX_SAFE_INTEGER);
}
