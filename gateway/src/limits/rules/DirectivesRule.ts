/**
 * Directives: every directive in the operation (on the operation, its fields,
 * inline fragments and fragment spreads), with fragments expanded where they
 * are spread, so a directive in a fragment spread three times counts three
 * times. `@skip`/`@include` count too, and so do the selections they drop:
 * validation reads every directive whatever its value. Each fragment is
 * counted once (memoized, bottom-up); fragment cycles add nothing.
 */
import { Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { fragmentsOf, saturatingAdd, worst, type LimitRule } from './operation';

/** Reports an operation with more directives than `maxDirectives`. */
export const DirectivesRule: LimitRule = (document, _schema, _variables, limits, operationName) => {
  const fragments = fragmentsOf(document);
  const fragmentDirectives = new Map<string, number>();
  const inProgress = new Set<string>();

  const directivesIn = (selectionSet: SelectionSetNode): number => {
    let count = 0;
    for (const selection of selectionSet.selections) {
      count = saturatingAdd(count, selection.directives?.length ?? 0);
      if (selection.kind === Kind.FIELD) {
        if (selection.selectionSet) count = saturatingAdd(count, directivesIn(selection.selectionSet));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        count = saturatingAdd(count, directivesIn(selection.selectionSet));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || inProgress.has(name)) continue;
        if (!fragmentDirectives.has(name)) {
          inProgress.add(name);
          fragmentDirectives.set(name, saturatingAdd(fragment.directives?.length ?? 0, directivesIn(fragment.selectionSet)));
          inProgress.delete(name);
        }
        count = saturatingAdd(count, fragmentDirectives.get(name)!);
      }
    }
    return count;
  };

  const measure = (operation: OperationDefinitionNode) => saturatingAdd(operation.directives?.length ?? 0, directivesIn(operation.selectionSet));
  const actual = worst(document, operationName, measure);
  if (actual <= limits.maxDirectives) return null;
  return { limit: 'maxDirectives', max: limits.maxDirectives, actual, message: `The query uses ${actual} directives, more than the limit of ${limits.maxDirectives}` };
};
