import type { ASTVisitor, ASTNode, FieldDefinitionNode, InputValueDefinitionNode } from 'graphql';
import type { LintContext } from '..';

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
const SCREAMING_SNAKE_CASE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** Types are PascalCase, fields and arguments camelCase, enum values SCREAMING_SNAKE_CASE, as across the whole graph. */
export function NamingConventionsRule(context: LintContext): ASTVisitor {
  const expect = (name: string, pattern: RegExp, what: string, example: string, node: ASTNode, coordinate: string) => {
    if (!pattern.test(name)) context.report({ coordinate, node, message: `${what} ${coordinate} should be ${example}` });
  };
  const typeName = (name: string, node: ASTNode, kind: string) => expect(name, PASCAL_CASE, kind, 'PascalCase (e.g. OrderLine)', node, name);
  const fields = (owner: string, list: readonly (FieldDefinitionNode | InputValueDefinitionNode)[] | undefined, kind: string) => {
    for (const field of list ?? []) {
      expect(field.name.value, CAMEL_CASE, kind, 'camelCase (e.g. placedAt)', field, `${owner}.${field.name.value}`);
      if ('arguments' in field) {
        for (const arg of field.arguments ?? []) expect(arg.name.value, CAMEL_CASE, 'argument', 'camelCase (e.g. orderBy)', arg, `${owner}.${field.name.value}(${arg.name.value}:)`);
      }
    }
  };
  return {
    ObjectTypeDefinition(node) {
      typeName(node.name.value, node, 'type');
      fields(node.name.value, node.fields, 'field');
    },
    ObjectTypeExtension: (node) => fields(node.name.value, node.fields, 'field'),
    InterfaceTypeDefinition(node) {
      typeName(node.name.value, node, 'interface');
      fields(node.name.value, node.fields, 'field');
    },
    InputObjectTypeDefinition(node) {
      typeName(node.name.value, node, 'input');
      fields(node.name.value, node.fields, 'input field');
    },
    UnionTypeDefinition: (node) => typeName(node.name.value, node, 'union'),
    ScalarTypeDefinition: (node) => typeName(node.name.value, node, 'scalar'),
    EnumTypeDefinition(node) {
      typeName(node.name.value, node, 'enum');
      for (const value of node.values ?? []) {
        expect(value.name.value, SCREAMING_SNAKE_CASE, 'enum value', 'SCREAMING_SNAKE_CASE (e.g. IN_TRANSIT)', value, `${node.name.value}.${value.name.value}`);
      }
    },
    DirectiveDefinition: (node) => expect(node.name.value, CAMEL_CASE, 'directive', 'camelCase (e.g. @pii)', node, `@${node.name.value}`),
  };
}
