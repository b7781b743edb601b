/**
 * Depth: `{ a { b } }` has depth 2; fragments and inline fragments are expanded
 * in place (a fragment spread inside a fragment cycle adds nothing, so the rule
 * always ends), `__typename` never adds a level, and selections dropped by
 * `@skip`/`@include` are not counted. Introspection (`__schema`, `__type` and
 * what they select) is not data: it has its own depth bound (IntrospectionRule).
 */
import { Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { fragmentsOf, isIncluded, isIntrospectionField, worst, type LimitRule } from './operation';

/** Reports an operation whose fields nest deeper than `maxDepth`. */
export const DepthRule: LimitRule = (document, _schema, variables, limits, operationName) => {
  const fragments = fragmentsOf(document);

  const measure = (operation: OperationDefinitionNode) => {
    // A fragment's depth does not depend on where it is spread: compute it once.
    const fragmentDepth = new Map<string, number>();
    const inProgress = new Set<string>();

    const depthOf = (selectionSet: SelectionSetNode): number => {
      let depth = 0;
      for (const selection of selectionSet.selections) {
        if (!isIncluded(selection, operation, variables)) continue;
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value === '__typename' || isIntrospectionField(selection)) continue;
          depth = Math.max(depth, 1 + (selection.selectionSet ? depthOf(selection.selectionSet) : 0));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          depth = Math.max(depth, depthOf(selection.selectionSet));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || inProgress.has(name)) continue;
          if (!fragmentDepth.has(name)) {
            inProgress.add(name);
            fragmentDepth.set(name, depthOf(fragment.selectionSet));
            inProgress.delete(name);
          }
          depth = Math.max(depth, fragmentDepth.get(name)!);
        }
      }
      return depth;
    };
    return depthOf(operation.selectionSet);
  };

  const actual = worst(document, operationName, measure);
  if (actual <= limits.maxDepth) return null;
  return { limit: 'maxDepth', max: limits.maxDepth, actual, message: `Query depth ${actual} exceeds the limit of ${limits.maxDepth}` };
};
