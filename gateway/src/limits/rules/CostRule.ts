/**
 * Cost estimate: every object or list field costs 1 (scalar and enum fields
 * cost `scalarCost`, 0 by default), multiplied by the sizes of all the lists
 * around it. A list's size is its `first`, `last` or `limit` argument (a
 * literal, or a variable from the request, else the variable's default, else
 * the argument's default in the schema; the largest when several are given),
 * otherwise `defaultListSize`. A connection (an object field with such an
 * argument) passes its size to the lists directly inside it, so in
 * `orders(first: 100) { edges { node { lines { product { name } } } } }` the
 * 100 edges' nodes cost 100, their lines 100 and, with 5 lines assumed, the
 * products 500. Fragments are expanded where spread; inline fragments on
 * different types are all added (an upper bound); `__typename` is free, and so
 * is introspection (`__schema`, `__type`), which has its own bounds
 * (IntrospectionRule): its lists are the type system, not data. Over the
 * limit, the message names the list sizes the estimate assumed, by field
 * coordinate and where each came from, so a client knows which `first` to set.
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isLeafType,
  isListType,
  Kind,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { listSizeDirectiveOf } from '../listSizeDirectives';
import { argumentValue, fragmentsOf, isIncluded, isIntrospectionField, operationsToMeasure, type LimitRule, type Variables } from './operation';

/** At most this many assumed list sizes are named in the message (a hostile query may have thousands). */
const MAX_SIZES_SHOWN = 8;

/** Arguments that bound the size of a list (or, on a connection, of the lists inside it). */
export const LIST_SIZE_ARGUMENTS = ['first', 'last', 'limit'] as const;

function fieldDefinition(parentType: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return 'getFields' in parentType ? parentType.getFields()[name] : undefined;
}

/** The size the field's arguments ask for, or undefined when no size argument has a number. */
export function listSizeOf(field: FieldNode, definition: GraphQLField<unknown, unknown>, operation: OperationDefinitionNode, variables: Variables): number | undefined {
  let size: number | undefined;
  for (const argument of definition.args) {
    if (!(LIST_SIZE_ARGUMENTS as readonly string[]).includes(argument.name)) continue;
    const given = field.arguments?.find((node) => node.name.value === argument.name);
    let value = given ? argumentValue(given.value, operation, variables) : undefined;
    if (value === undefined) value = argument.defaultValue;
    // null (or a non-number) gives no bound: the caller assumes defaultListSize.
    if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, Math.max(0, value));
  }
  return size;
}

/** The largest number among the `@listSize(slicingArguments:)` given (dotted paths reach into input objects), else undefined. */
function slicedSizeOf(field: FieldNode, definition: GraphQLField<unknown, unknown>, paths: string[], operation: OperationDefinitionNode, variables: Variables): number | undefined {
  let size: number | undefined;
  for (const path of paths) {
    const [name, ...rest] = path.split('.');
    const given = field.arguments?.find((node) => node.name.value === name);
    let value: unknown = given ? argumentValue(given.value, operation, variables) : definition.args.find((arg) => arg.name === name)?.defaultValue;
    for (const key of rest) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, Math.max(0, value));
  }
  return size;
}

/** Reports an operation whose estimated cost is above `maxCost`. */
export const CostRule: LimitRule = (document, schema, variables, limits, operationName) => {
  const fragments = fragmentsOf(document);

  /** The list sizes each operation's estimate used, by field coordinate ("User.reviews"). */
  const assumedBy = new Map<OperationDefinitionNode, Map<string, string>>();

  const measure = (operation: OperationDefinitionNode) => {
    const assumed = new Map<string, string>();
    assumedBy.set(operation, assumed);
    const rootType = schema.getRootType(operation.operation);
    if (!rootType) return 0;
    // Cost is linear in the multiplier, so a fragment's cost per parent object is computed once
    // for each (fragment, size passed down by an enclosing connection) pair.
    const fragmentCost = new Map<string, number>();
    const inProgress = new Set<string>();

    /** The cost of one object of `parentType` with this selection; `connectionSize` from an enclosing connection. */
    const costOf = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, connectionSize: number | undefined): number => {
      let cost = 0;
      for (const selection of selectionSet.selections) {
        if (!isIncluded(selection, operation, variables)) continue;
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value === '__typename' || isIntrospectionField(selection)) continue;
          const definition = fieldDefinition(parentType, selection.name.value);
          if (!definition) continue;
          const type = getNamedType(definition.type);
          const isList = isListType(getNullableType(definition.type));
          cost += isLeafType(type) && !isList ? limits.scalarCost : 1;
          if (!selection.selectionSet || !isCompositeType(type)) continue;
          const coordinate = `${parentType.name}.${definition.name}`;
          const declared = listSizeDirectiveOf(schema, coordinate);
          const sliced = declared?.slicingArguments ? slicedSizeOf(selection, definition, declared.slicingArguments, operation, variables) : undefined;
          const size = sliced ?? declared?.assumedSize ?? listSizeOf(selection, definition, operation, variables);
          if (isList) {
            const listSize = size ?? connectionSize ?? limits.defaultListSize;
            const from =
              sliced !== undefined ? '@listSize slicingArguments' : declared?.assumedSize !== undefined ? '@listSize assumedSize' : size !== undefined ? 'its size argument' : connectionSize !== undefined ? "the connection's size argument" : 'defaultListSize';
            if (!assumed.has(coordinate)) assumed.set(coordinate, `${coordinate} ${listSize} (${from})`);
            cost += listSize * costOf(selection.selectionSet, type, undefined);
          } else {
            cost += costOf(selection.selectionSet, type, size);
          }
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
          if (type && isCompositeType(type)) cost += costOf(selection.selectionSet, type, connectionSize);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          const type = fragment && schema.getType(fragment.typeCondition.name.value);
          if (!fragment || !type || !isCompositeType(type) || inProgress.has(name)) continue;
          const key = `${name}\u0000${connectionSize ?? ''}`;
          if (!fragmentCost.has(key)) {
            inProgress.add(name);
            fragmentCost.set(key, costOf(fragment.selectionSet, type, connectionSize));
            inProgress.delete(name);
          }
          cost += fragmentCost.get(key)!;
        }
      }
      return cost;
    };
    return costOf(operation.selectionSet, rootType, undefined);
  };

  let estimate = 0;
  let assumed: Map<string, string> | undefined;
  for (const operation of operationsToMeasure(document, operationName)) {
    const cost = measure(operation);
    if (cost >= estimate) [estimate, assumed] = [cost, assumedBy.get(operation)];
  }
  if (estimate <= limits.maxCost) return null;
  const actual = Math.min(Math.ceil(estimate), Number.MAX_SAFE_INTEGER);
  const sizes = [...(assumed?.values() ?? [])];
  const shown = sizes.slice(0, MAX_SIZES_SHOWN).join(', ') + (sizes.length > MAX_SIZES_SHOWN ? ` and ${sizes.length - MAX_SIZES_SHOWN} more` : '');
  return {
    limit: 'maxCost',
    max: limits.maxCost,
    actual,
    message: `Estimated query cost ${actual}${sizes.length ? `, assuming list sizes ${shown},` : ''} exceeds the limit of ${limits.maxCost}`,
  };
};
