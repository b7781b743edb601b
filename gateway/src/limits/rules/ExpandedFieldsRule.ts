/**
 * Size after fragment expansion: the fields of every operation of the document
 * as if each fragment spread were replaced by the fragment's fields, so a
 * fragment spread twice counts twice and `fragment F0 { ...F1 ...F1 }` down to
 * F30 counts 2^30. Never expanded to measure it: each fragment's size is
 * counted once, bottom-up, and a spread adds that number (saturating at
 * Number.MAX_SAFE_INTEGER); fragment cycles add nothing. Every operation counts,
 * not only the one that runs, and selections `@skip`/`@include` would drop
 * count too, because validation reads all of them: this is the limit that
 * keeps validation's work (and authorization's) proportional to the document.
 */
import { Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import { fragmentsOf, saturatingAdd, type LimitRule } from './operation';

/** The number of fields of all the operations of `document`, fragments expanded where spread. */
export function expandedFieldCount(document: DocumentNode): number {
  const fragments = fragmentsOf(document);
  const fragmentFields = new Map<string, number>();
  const inProgress = new Set<string>();

  const fieldsIn = (selectionSet: SelectionSetNode): number => {
    let count = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        count = saturatingAdd(count, 1);
        if (selection.selectionSet) count = saturatingAdd(count, fieldsIn(selection.selectionSet));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        count = saturatingAdd(count, fieldsIn(selection.selectionSet));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || inProgress.has(name)) continue;
        if (!fragmentFields.has(name)) {
          inProgress.add(name);
          fragmentFields.set(name, fieldsIn(fragment.selectionSet));
          inProgress.delete(name);
        }
        count = saturatingAdd(count, fragmentFields.get(name)!);
      }
    }
    return count;
  };

  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) total = saturatingAdd(total, fieldsIn(definition.selectionSet));
  }
  return total;
}

/** Reports a document whose operations, fragments expanded, have more fields than `maxExpandedFields`. */
export const ExpandedFieldsRule: LimitRule = (document, _schema, _variables, limits) => {
  const actual = expandedFieldCount(document);
  if (actual <= limits.maxExpandedFields) return null;
  return {
    limit: 'maxExpandedFields',
    max: limits.maxExpandedFields,
    actual,
    message: `The query has ${actual} fields once its fragments are expanded, more than the limit of ${limits.maxExpandedFields}`,
  };
};
