/**
 * Aliases: every aliased field counts, including those inside fragments, once
 * for each place the fragment is spread (ten aliases in a fragment spread three
 * times are thirty fields to resolve). Fragment cycles add nothing; selections
 * dropped by `@skip`/`@include` are not counted. Aliases in introspection
 * (`__schema`, `__type` and what they select) have their own bound
 * (IntrospectionRule).
 */
import { Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { fragmentsOf, isIncluded, isIntrospectionField, worst, type LimitRule } from './operation';

/** Reports an operation with more aliased fields than `maxAliases`. */
export const AliasesRule: LimitRule = (document, _schema, variables, limits, operationName) => {
  const fragments = fragmentsOf(document);

  const measure = (operation: OperationDefinitionNode) => {
    const fragmentAliases = new Map<string, number>();
    const inProgress = new Set<string>();

    const aliasesIn = (selectionSet: SelectionSetNode): number => {
      let count = 0;
      for (const selection of selectionSet.selections) {
        if (!isIncluded(selection, operation, variables)) continue;
        if (selection.kind === Kind.FIELD) {
          if (isIntrospectionField(selection)) continue;
          if (selection.alias) count += 1;
          if (selection.selectionSet) count += aliasesIn(selection.selectionSet);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          count += aliasesIn(selection.selectionSet);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || inProgress.has(name)) continue;
          if (!fragmentAliases.has(name)) {
            inProgress.add(name);
            fragmentAliases.set(name, aliasesIn(fragment.selectionSet));
            inProgress.delete(name);
          }
          count += fragmentAliases.get(name)!;
        }
      }
      return count;
    };
    return aliasesIn(operation.selectionSet);
  };

  const actual = worst(document, operationName, measure);
  if (actual <= limits.maxAliases) return null;
  return { limit: 'maxAliases', max: limits.maxAliases, actual, message: `The query uses ${actual} aliases, more than the limit of ${limits.maxAliases}` };
};
