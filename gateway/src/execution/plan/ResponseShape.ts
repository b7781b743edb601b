/**
 * Turns the data merged from the subgraphs into the response the client asked
 * for: only the requested fields, under their aliases, in the operation's
 * order, with GraphQL null propagation and `__typename` of the API schema.
 *
 * Same contract as @apollo/gateway's result shaping (resultShaping.ts), which
 * re-derives every selection from its federation operation on every request
 * and costs as much CPU as everything else the gateway does on a large list.
 * Here the fields each selection collects for each concrete type are worked
 * out once per operation (and per value of the @skip/@include variables) and
 * kept, so a request only walks its data. Working them out is linear in the
 * document: a fragment spread several times into one selection is collected
 * once (graphql-js's collectFields does the same), so nested repeated spreads
 * cannot make it exponential.
 *
 * Errors (an invalid leaf value, a null in a non-null position, an unknown
 * `__typename`) have Apollo's messages, codes and paths.
 */
import {
  GraphQLList,
  GraphQLNonNull,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLError,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { ERRORS } from '@apollo/federation-internals';
import { includes } from './conditions';

type Variables = Record<string, unknown>;
type Path = (string | number)[];

/** A value that is null and whose error was already reported: a non-null parent bubbles it up without a second error. */
const NULLED = Symbol('nulled');
/** The position is invalid: the nearest nullable ancestor becomes null. */
const BUBBLE = Symbol('bubble');
type Completed = unknown;

type LeafCheck = (value: unknown) => boolean;

type FieldPlan = {
  /** The key the field's value has in the merged subgraph data. */
  key: string;
  /** The client's response key: `key`, unless the operation was planned with the field under an alias of meshgate's (aliasRequiredFields). */
  outputKey: string;
  /** A key Object.prototype also has ("constructor", "__proto__"): read and written as an own property only. */
  inheritedKey: boolean;
  /** `__typename`, answered from the API schema rather than copied. */
  isTypename: boolean;
  type: GraphQLOutputType;
  /** The selections under this field (all of its occurrences merged); null for leaves. */
  selection: SelectionPlan | null;
  leafCheck: LeafCheck | null;
};

class SelectionPlan {
  private readonly fieldsByType = new Map<string, FieldPlan[]>();

  constructor(
    private readonly shape: ResponseShape,
    private readonly selectionSets: readonly SelectionSetNode[],
  ) {}

  /** The fields these selections collect on a value of `type` (an object type, or the declared abstract type when the value has no __typename). */
  fieldsFor(type: GraphQLCompositeType): FieldPlan[] {
    let fields = this.fieldsByType.get(type.name);
    if (!fields) {
      fields = this.shape.collect(type, this.selectionSets);
      this.fieldsByType.set(type.name, fields);
    }
    return fields;
  }
}

export class ResponseShape {
  private readonly root: SelectionPlan;
  private readonly leafChecks = new Map<string, LeafCheck>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rootType: GraphQLCompositeType,
    selectionSet: SelectionSetNode,
    private readonly fragments: Record<string, FragmentDefinitionNode>,
    /** The variables that decide @skip/@include: this shape is only valid for them. */
    private readonly variables: Variables,
    /** Aliases meshgate gave client fields before planning, and the client's response key of each. */
    private readonly aliases?: ReadonlyMap<string, string>,
  ) {
    this.root = new SelectionPlan(this, [selectionSet]);
  }

  /** The shaped data (null when null propagation reaches the root) and the value-completion errors. */
  apply(input: Record<string, unknown>): { data: Record<string, unknown> | null; errors: GraphQLError[] } {
    const run: Run = { schema: this.schema, errors: [], path: [] };
    const data: Record<string, unknown> = {};
    const result = applyFields(this.root.fieldsFor(this.rootType), input, data, this.rootType, run);
    return { data: result === BUBBLE ? null : data, errors: run.errors };
  }

  collect(type: GraphQLCompositeType, selectionSets: readonly SelectionSetNode[]): FieldPlan[] {
    const byKey = new Map<string, { name: string; selectionSets: SelectionSetNode[] }>();
    // One set for the whole collection, as graphql-js's collectFields: a fragment spread again adds exactly what
    // its first spread added, so it is skipped. A set per path would visit `...F ...F` nested n deep 2^n times.
    const visitedFragments = new Set<string>();
    const visit = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (!includes(selection, this.variables)) continue;
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          let entry = byKey.get(key);
          if (!entry) byKey.set(key, (entry = { name: selection.name.value, selectionSets: [] }));
          if (selection.selectionSet) entry.selectionSets.push(selection.selectionSet);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (!selection.typeCondition || this.applies(selection.typeCondition.name.value, type)) visit(selection.selectionSet);
        } else {
          const name = selection.name.value;
          const fragment = this.fragments[name];
          if (!fragment || visitedFragments.has(name) || !this.applies(fragment.typeCondition.name.value, type)) continue;
          visitedFragments.add(name);
          visit(fragment.selectionSet);
        }
      }
    };
    for (const selectionSet of selectionSets) visit(selectionSet);
    return [...byKey].map(([key, { name, selectionSets: subSelections }]) => this.fieldPlan(type, key, name, subSelections));
  }

  private fieldPlan(parent: GraphQLCompositeType, key: string, name: string, selectionSets: SelectionSetNode[]): FieldPlan {
    const outputKey = this.aliases?.get(key) ?? key;
    const inheritedKey = key in Object.prototype || outputKey in Object.prototype;
    if (name === '__typename') return { key, outputKey, inheritedKey, isTypename: true, type: parent, selection: null, leafCheck: null };
    const definition = 'getFields' in parent ? parent.getFields()[name] : undefined;
    if (!definition) throw new Error(`Field "${name}" is not defined on type "${parent.name}" of the API schema`);
    let named: GraphQLOutputType = definition.type;
    while (named instanceof GraphQLNonNull || named instanceof GraphQLList) named = named.ofType;
    const composite = isCompositeType(named);
    return {
      key,
      outputKey,
      inheritedKey,
      isTypename: false,
      type: definition.type,
      selection: composite ? new SelectionPlan(this, selectionSets) : null,
      leafCheck: composite ? null : this.leafCheckFor(named.name),
    };
  }

  /** Whether a fragment on `condition` applies to a value of `type` (Apollo's typeConditionApplies). */
  private applies(condition: string, type: GraphQLCompositeType): boolean {
    if (condition === type.name) return true;
    const conditionType = this.schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && this.schema.isSubType(conditionType, type as never);
  }

  private leafCheckFor(typeName: string): LeafCheck {
    let check = this.leafChecks.get(typeName);
    if (!check) {
      check = leafCheck(this.schema, typeName);
      this.leafChecks.set(typeName, check);
    }
    return check;
  }
}

type Run = { schema: GraphQLSchema; errors: GraphQLError[]; path: Path };

function applyFields(fields: FieldPlan[], input: Record<string, unknown>, output: Record<string, unknown>, parent: GraphQLCompositeType, run: Run): typeof BUBBLE | undefined {
  for (const field of fields) {
    const inputValue = field.inheritedKey ? (Object.hasOwn(input, field.key) ? input[field.key] : undefined) : input[field.key];
    let value: Completed;
    if (field.isTypename) {
      const typename = inputValue ?? input.__typename;
      const type = typeof typename === 'string' ? (run.schema.getType(typename) ?? parent) : parent;
      if (!isObjectType(type)) return BUBBLE;
      value = type.name;
    } else {
      run.path.push(field.outputKey);
      value = complete(inputValue ?? null, field.type, field, parent, run);
      run.path.pop();
      if (value === BUBBLE) return BUBBLE;
      if (value === NULLED) value = null;
    }
    if (field.inheritedKey) Object.defineProperty(output, field.outputKey, { value, enumerable: true, writable: true, configurable: true });
    else output[field.outputKey] = value;
  }
  return undefined;
}

function complete(input: unknown, type: GraphQLOutputType, field: FieldPlan, parent: GraphQLCompositeType, run: Run): Completed {
  if (type instanceof GraphQLNonNull) {
    const value = complete(input, type.ofType, field, parent, run);
    if (value === null) {
      run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describe(run.path, type.ofType, parent)}.`, { path: [...run.path] }));
      return BUBBLE;
    }
    return value === NULLED ? BUBBLE : value;
  }
  if (input === null) return null;
  if (type instanceof GraphQLList) {
    if (!Array.isArray(input)) throw new Error(`Invalid non-list value ${String(input)} returned by subgraph for list type ${type}`);
    const list: unknown[] = new Array(input.length);
    let bubbled = false;
    for (let index = 0; index < input.length; index++) {
      run.path.push(index);
      const value = complete(input[index] ?? null, type.ofType, field, parent, run);
      run.path.pop();
      if (value === BUBBLE) bubbled = true;
      list[index] = value === NULLED ? null : value;
    }
    return bubbled ? NULLED : list;
  }
  if (field.selection) {
    if (typeof input !== 'object') throw new Error(`Invalid non-object value ${String(input)} returned by subgraph for composite type ${type}`);
    const object = input as Record<string, unknown>;
    let runtimeType = type as GraphQLCompositeType;
    const typename = object.__typename;
    if (typename !== undefined) {
      const named = typeof typename === 'string' ? run.schema.getType(typename) : undefined;
      if (!named || !isCompositeType(named)) {
        run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describe(run.path, type, parent)}.`, { path: [...run.path] }));
        return NULLED;
      }
      runtimeType = named;
    }
    const output: Record<string, unknown> = {};
    return applyFields(field.selection.fieldsFor(runtimeType), object, output, runtimeType, run) === BUBBLE ? NULLED : output;
  }
  if (field.leafCheck!(input)) return input;
  run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describe(run.path, type, parent)}.`, { path: [...run.path] }));
  return NULLED;
}

function describe(path: Path, type: GraphQLOutputType, parent: GraphQLCompositeType): string {
  const last = path[path.length - 1];
  return typeof last === 'string' ? `field ${parent.name}.${last}` : `array element of type ${type} at index ${last}`;
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/** Apollo's isValidLeafValue: built-in scalars by JavaScript type, enums by value, custom scalars anything. */
function leafCheck(schema: GraphQLSchema, typeName: string): LeafCheck {
  const type = schema.getType(typeName);
  if (isEnumType(type)) return (value) => typeof value === 'string' && type.getValue(value) !== undefined;
  switch (typeName) {
    case 'Boolean':
      return (value) => typeof value === 'boolean';
    case 'Int':
      return (value) => typeof value === 'number' && Number.isFinite(value) && INTEGER.test(String(value));
    case 'ID':
      return (value) => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value) && INTEGER.test(String(value)));
    case 'Float':
      return (value) => typeof value === 'number' && Number.isFinite(value);
    case 'String':
      return (value) => typeof value === 'string';
    default:
      return () => true;
  }
}
