import type { ASTVisitor } from 'graphql';
import type { LintContext } from '..';
import { escapeRegExp, fieldCoordinatesOf, lineMatching, piiDirectiveName, piiFieldsOf } from '../facts';

/** The PII classification in dataproduct.yaml and the @pii directives in schema.graphql name the same fields with the same categories. */
export function PiiClassificationMatchesRule(context: LintContext): ASTVisitor {
  return {
    Document() {
      if (!context.descriptor.ok) return;
      const declared = context.descriptor.descriptor.pii;
      const marked = piiFieldsOf(context.typeDefs);
      const directive = piiDirectiveName(context.typeDefs);
      const fields = fieldCoordinatesOf(context.typeDefs);
      for (const [coordinate, field] of marked) {
        const category = declared[coordinate];
        if (category === undefined) {
          context.report({
            coordinate,
            node: field.node,
            message: `${coordinate} is marked @${directive}(category: "${field.category}") but dataproduct.yaml does not classify it: add "${coordinate}: ${field.category}" under pii`,
          });
        } else if (category !== field.category) {
          context.report({ coordinate, node: field.node, message: `${coordinate}: @${directive} says category "${field.category}", dataproduct.yaml says "${category}"; make them agree` });
        }
      }
      for (const [coordinate, category] of Object.entries(declared)) {
        if (marked.has(coordinate)) continue;
        const line = lineMatching(context.descriptorText, new RegExp(`^\\s+${escapeRegExp(coordinate)}:`));
        const file = context.descriptorFile;
        if (!fields.has(coordinate)) {
          context.report({ coordinate, file, line, message: `pii: ${coordinate} is not a field this subgraph defines` });
        } else {
          context.report({
            coordinate,
            file,
            line,
            message: `${coordinate} is classified "${category}" in dataproduct.yaml but not marked in schema.graphql: add @${directive}(category: "${category}") so both say the same (the gateway refuses to start when a schema that marks PII disagrees with its descriptor)`,
          });
        }
      }
    },
  };
}
