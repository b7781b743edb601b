import {
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type ASTVisitor,
  type EnumTypeDefinitionNode,
  type FieldDefinitionNode,
  type InputObjectTypeDefinitionNode,
  type InputValueDefinitionNode,
  type InterfaceTypeDefinitionNode,
  type ObjectTypeDefinitionNode,
  type ScalarTypeDefinitionNode,
  type UnionTypeDefinitionNode,
} from 'graphql';
import type { LintContext } from '..';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** Every type and field, input fields included, has a description, so the catalog and the query page explain the whole graph. */
export function DescriptionsRequiredRule(context: LintContext): ASTVisitor {
  // An element another subgraph already describes (a shared entity's key, a type this one
  // extends) counts as described; root operation types need descriptions on their fields only.
  const composedType = (name: string) => context.supergraph?.getType(name);
  const composedField = (typeName: string, fieldName: string) => {
    const type = composedType(typeName);
    return type && (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) ? type.getFields()[fieldName] : undefined;
  };

  const checkType = (
    node: ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode | InputObjectTypeDefinitionNode | EnumTypeDefinitionNode | ScalarTypeDefinitionNode | UnionTypeDefinitionNode,
    kind: string,
  ) => {
    const name = node.name.value;
    if (ROOT_TYPES.has(name) || node.description?.value.trim() || composedType(name)?.description?.trim()) return;
    context.report({ coordinate: name, node, message: `${kind} ${name} has no description: say what it represents, in a "..." string above it` });
  };

  const checkFields = (typeName: string, fields: readonly (FieldDefinitionNode | InputValueDefinitionNode)[] | undefined, kind: string) => {
    for (const field of fields ?? []) {
      if (field.description?.value.trim() || composedField(typeName, field.name.value)?.description?.trim()) continue;
      const coordinate = `${typeName}.${field.name.value}`;
      context.report({ coordinate, node: field, message: `${kind} ${coordinate} has no description: say what it holds (units, format, when it is null)` });
    }
  };

  return {
    ObjectTypeDefinition(node) {
      checkType(node, 'type');
      checkFields(node.name.value, node.fields, 'field');
    },
    ObjectTypeExtension(node) {
      checkFields(node.name.value, node.fields, 'field');
    },
    InterfaceTypeDefinition(node) {
      checkType(node, 'interface');
      checkFields(node.name.value, node.fields, 'field');
    },
    InputObjectTypeDefinition(node) {
      checkType(node, 'input');
      checkFields(node.name.value, node.fields, 'input field');
    },
    EnumTypeDefinition(node) {
      checkType(node, 'enum');
    },
    ScalarTypeDefinition(node) {
      checkType(node, 'scalar');
    },
    UnionTypeDefinition(node) {
      checkType(node, 'union');
    },
  };
}
