/**
 * Root fields: the distinct response keys at the top of the operation, with
 * fragments and inline fragments at the top expanded; `{ orders orders }` is
 * one field (GraphQL merges them), `{ a: orders b: orders }` is two;
 * `__typename` does not count, nor selections dropped by `@skip`/`@include`.
 */
import { Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { fragmentsOf, isIncluded, worst, type LimitRule } from './operation';

/** Reports an operation that asks for more top-level fields than `maxRootFields`. */
export const RootFieldsRule: LimitRule = (document, _schema, variables, limits, operationName) => {
  const fragments = fragmentsOf(document);

  const measure = (operation: OperationDefinitionNode) => {
    const keys = new Set<string>();
    const visited = new Set<string>();
    const collect = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (!isIncluded(selection, operation, variables)) continue;
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value !== '__typename') keys.add(selection.alias?.value ?? selection.name.value);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          collect(selection.selectionSet);
        } else {
          const fragment = fragments.get(selection.name.value);
          // Spreading the same fragment twice adds no new key: each is read once (this also ends cycles).
          if (!fragment || visited.has(fragment.name.value)) continue;
          visited.add(fragment.name.value);
          collect(fragment.selectionSet);
        }
      }
    };
    collect(operation.selectionSet);
    return keys.size;
  };

  const actual = worst(document, operationName, measure);
  if (actual <= limits.maxRootFields) return null;
  return { limit: 'maxRootFields', max: limits.maxRootFields, actual, message: `The query asks for ${actual} top-level fields, more than the limit of ${limits.maxRootFields}` };
};
