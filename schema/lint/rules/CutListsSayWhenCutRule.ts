import { Kind, type ASTVisitor, type FieldDefinitionNode, type TypeNode } from 'graphql';
import type { LintContext } from '..';

/** Arguments that bound how many items a field returns: the field's answer can be cut off. */
const SIZE_ARGUMENT = /^(first|last|limit|take|top|size|pageSize|max|maxItems)$/;

const isList = (type: TypeNode): boolean => (type.kind === Kind.NON_NULL_TYPE ? isList(type.type) : type.kind === Kind.LIST_TYPE);

/**
 * A field whose answer a size argument (`first`, `limit`, ...) can cut off says so in the answer: it returns a
 * connection (`totalCount`, `pageInfo.hasNextPage`), never a plain list. A plain list cut off at a server-side cap
 * looks complete, so sums over it undercount with nothing saying so (issue 18: `CampaignPerformance.orders` served
 * 1,000 of 1,581 orders). A deprecated field is only a warning: it is on its way out, and its reason names the
 * replacement.
 */
export function CutListsSayWhenCutRule(context: LintContext): ASTVisitor {
  const visitFields = (typeName: string, fields: readonly FieldDefinitionNode[] | undefined) => {
    for (const field of fields ?? []) {
      if (!isList(field.type)) continue;
      const size = field.arguments?.find((argument) => SIZE_ARGUMENT.test(argument.name.value));
      if (!size) continue;
      const coordinate = `${typeName}.${field.name.value}`;
      const deprecated = field.directives?.some((directive) => directive.name.value === 'deprecated');
      context.report({
        coordinate,
        node: field,
        severity: deprecated ? 'warning' : 'error',
        message: `${coordinate} is a plain list that "${size.name.value}" cuts off with nothing in the answer saying so: return a connection (edges, pageInfo { hasNextPage endCursor }, totalCount) so clients know when more follow${deprecated ? ' (deprecated: remove it once clients moved)' : ''}`,
      });
    }
  };
  return {
    ObjectTypeDefinition: (node) => visitFields(node.name.value, node.fields),
    ObjectTypeExtension: (node) => visitFields(node.name.value, node.fields),
    InterfaceTypeDefinition: (node) => visitFields(node.name.value, node.fields),
  };
}
