/**
 * Introspection's own bounds. The data rules (depth, cost, aliases) skip
 * `__schema` and `__type` and everything under them, because the standard
 * introspection query that GraphiQL, codegen and IDEs send is as deep as the
 * type system (depth 15 for graphql-js's `getIntrospectionQuery()`, whose
 * `ofType` chain unwraps nested list and non-null types) and its lists are the
 * types and fields of the schema, which a data cost model would multiply by
 * assumed list sizes. Introspection is still bounded, by four limits:
 *
 * - `maxIntrospectionFields`: `__schema`/`__type` fields in the operation,
 *   fragments expanded where spread (each occurrence counts, aliased or not:
 *   every one is resolved again);
 * - `maxIntrospectionDepth`: the deepest nesting under one of them, counting
 *   it as 1 (the standard query: 15);
 * - `maxIntrospectionListNesting`: on one path, how many of the lists that lead
 *   back to every type (`types`, `fields`, `inputFields`, `interfaces`,
 *   `possibleTypes`) are nested: the standard query nests 2 (`types` then
 *   `fields`); `__type { fields { type { fields { type { fields ...` is the
 *   one that grows with the schema's size to the power of its nesting;
 * - `maxIntrospectionAliases`: aliased fields under them.
 *
 * Like every limit rule it is linear in the document (each fragment measured
 * once per context, never expanded), ends on fragment cycles, and counts only
 * selections `@skip`/`@include` keep. Whether a principal may introspect at
 * all is the authorization stage's decision, not this rule's.
 */
import { Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { fragmentsOf, isIncluded, isIntrospectionField, operationsToMeasure, saturatingAdd, type LimitRule, type LimitViolation } from './operation';

/** The introspection lists whose items lead back to whole types, so nesting them multiplies by the schema's size. */
const TYPE_SYSTEM_LISTS: ReadonlySet<string> = new Set(['types', 'fields', 'inputFields', 'interfaces', 'possibleTypes']);

type Measure = {
  /** `__schema`/`__type` occurrences. */
  fields: number;
  /** Aliased fields inside introspection. */
  aliases: number;
  /** Inside introspection: this selection set's depth; outside: the deepest introspection selection under it. */
  depth: number;
  /** The same for nested type-system lists. */
  lists: number;
};

const NONE: Measure = { fields: 0, aliases: 0, depth: 0, lists: 0 };

function combine(a: Measure, b: Measure): Measure {
  return { fields: saturatingAdd(a.fields, b.fields), aliases: saturatingAdd(a.aliases, b.aliases), depth: Math.max(a.depth, b.depth), lists: Math.max(a.lists, b.lists) };
}

/** Reports the first introspection bound the operation exceeds: fields, depth, list nesting, aliases. */
export const IntrospectionRule: LimitRule = (document, _schema, variables, limits, operationName) => {
  const fragments = fragmentsOf(document);

  const measure = (operation: OperationDefinitionNode): Measure => {
    // A fragment measures the same wherever it is spread, given whether it is inside introspection.
    const fragmentMeasure = new Map<string, Measure>();
    const inProgress = new Set<string>();

    const measureSet = (selectionSet: SelectionSetNode, inside: boolean): Measure => {
      let total = NONE;
      for (const selection of selectionSet.selections) {
        if (!isIncluded(selection, operation, variables)) continue;
        if (selection.kind === Kind.FIELD) {
          const starts = isIntrospectionField(selection);
          const within = inside || starts;
          const below = selection.selectionSet ? measureSet(selection.selectionSet, within) : NONE;
          if (!within) {
            total = combine(total, below);
            continue;
          }
          const list = TYPE_SYSTEM_LISTS.has(selection.name.value) ? 1 : 0;
          total = combine(total, {
            fields: saturatingAdd(below.fields, starts ? 1 : 0),
            aliases: saturatingAdd(below.aliases, selection.alias ? 1 : 0),
            depth: 1 + below.depth,
            lists: list + below.lists,
          });
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          total = combine(total, measureSet(selection.selectionSet, inside));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          const key = `${inside ? 'in' : 'out'}\u0000${name}`;
          if (!fragment || inProgress.has(key)) continue;
          if (!fragmentMeasure.has(key)) {
            inProgress.add(key);
            fragmentMeasure.set(key, measureSet(fragment.selectionSet, inside));
            inProgress.delete(key);
          }
          total = combine(total, fragmentMeasure.get(key)!);
        }
      }
      return total;
    };
    return measureSet(operation.selectionSet, false);
  };

  // The worst operation for each bound (only one of them runs).
  const worst = operationsToMeasure(document, operationName)
    .map(measure)
    .reduce((a, b) => ({ fields: Math.max(a.fields, b.fields), aliases: Math.max(a.aliases, b.aliases), depth: Math.max(a.depth, b.depth), lists: Math.max(a.lists, b.lists) }), NONE);
  const violations: LimitViolation[] = [
    {
      limit: 'maxIntrospectionFields',
      max: limits.maxIntrospectionFields,
      actual: worst.fields,
      message: `The query asks for __schema or __type ${worst.fields} times, more than the limit of ${limits.maxIntrospectionFields}`,
    },
    {
      limit: 'maxIntrospectionDepth',
      max: limits.maxIntrospectionDepth,
      actual: worst.depth,
      message: `Introspection depth ${worst.depth} exceeds the limit of ${limits.maxIntrospectionDepth}`,
    },
    {
      limit: 'maxIntrospectionListNesting',
      max: limits.maxIntrospectionListNesting,
      actual: worst.lists,
      message: `Introspection nests ${worst.lists} lists of types or fields (types, fields, inputFields, interfaces, possibleTypes), more than the limit of ${limits.maxIntrospectionListNesting}`,
    },
    {
      limit: 'maxIntrospectionAliases',
      max: limits.maxIntrospectionAliases,
      actual: worst.aliases,
      message: `Introspection uses ${worst.aliases} aliases, more than the limit of ${limits.maxIntrospectionAliases}`,
    },
  ];
  return violations.find((violation) => violation.actual > violation.max) ?? null;
};
