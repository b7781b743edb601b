import { Kind, type ASTVisitor, type ConstDirectiveNode, type EnumValueDefinitionNode, type FieldDefinitionNode, type InputValueDefinitionNode } from 'graphql';
import type { LintContext } from '..';

/** graphql-js fills in this reason when none is given; it tells a client nothing. */
const DEFAULT_REASON = 'No longer supported';

function reasonOf(directive: ConstDirectiveNode): string | null {
  const value = directive.arguments?.find((arg) => arg.name.value === 'reason')?.value;
  return value?.kind === Kind.STRING && value.value.trim() && value.value.trim() !== DEFAULT_REASON ? value.value : null;
}

/** Every @deprecated field, argument, input field and enum value says why, and what to use instead. */
export function DeprecationReasonRule(context: LintContext): ASTVisitor {
  const check = (coordinate: string, node: FieldDefinitionNode | InputValueDefinitionNode | EnumValueDefinitionNode) => {
    const directive = node.directives?.find((d) => d.name.value === 'deprecated');
    if (!directive || reasonOf(directive)) return;
    context.report({
      coordinate,
      node: directive,
      message: `${coordinate} is deprecated without a reason: say what to use instead, e.g. @deprecated(reason: "Use newField; removed after 2027-01-01")`,
    });
  };
  const visitFields = (typeName: string, fields: readonly (FieldDefinitionNode | InputValueDefinitionNode)[] | undefined) => {
    for (const field of fields ?? []) {
      check(`${typeName}.${field.name.value}`, field);
      if (field.kind === Kind.FIELD_DEFINITION) for (const arg of field.arguments ?? []) check(`${typeName}.${field.name.value}(${arg.name.value}:)`, arg);
    }
  };
  return {
    ObjectTypeDefinition: (node) => visitFields(node.name.value, node.fields),
    ObjectTypeExtension: (node) => visitFields(node.name.value, node.fields),
    InterfaceTypeDefinition: (node) => visitFields(node.name.value, node.fields),
    InputObjectTypeDefinition: (node) => visitFields(node.name.value, node.fields),
    EnumTypeDefinition(node) {
      for (const value of node.values ?? []) check(`${node.name.value}.${value.name.value}`, value);
    },
  };
}
