/**
 * An MCP tool's input JSON Schema (draft 2020-12, the dialect MCP names),
 * generated from an operation's variable definitions as the API schema types
 * them: scalars, enums (their values), input objects (their fields, required
 * when non-null without a default, no other keys; `@oneOf` ones take exactly
 * one), lists, defaults and descriptions. Input objects and enums are shared
 * `$defs`, so recursive inputs stay finite.
 *
 * Written here rather than taken from a library because the libraries that
 * exist turn a whole schema (or its introspection) into JSON Schema, not one
 * operation's variables, and none follows GraphQL's rule that a nullable
 * variable may be left out.
 *
 * Guarantees: it only describes; the gateway still coerces the variables (a
 * value the schema lets through but GraphQL refuses is a tool error naming
 * the variable). It never throws for a well-typed operation; a variable whose
 * type the API schema lacks is an error naming the variable.
 * Left out on purpose: `null` for nullable variables (leaving one out means
 * the same to every operation here, and models handle plain types better).
 */
import {
  astFromValue,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  isScalarType,
  isSpecifiedScalarType,
  print,
  typeFromAST,
  valueFromASTUntyped,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLNamedInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type TypeNode,
} from 'graphql';

export type JsonSchema = { [key: string]: unknown };

const INT_RANGE = { minimum: -2_147_483_648, maximum: 2_147_483_647 };

function scalarSchema(name: string, description: string | null | undefined): JsonSchema {
  const described = (schema: JsonSchema) => (description ? { ...schema, description } : schema);
  switch (name) {
    case 'Int':
      return { type: 'integer', ...INT_RANGE };
    case 'Float':
      return { type: 'number' };
    case 'String':
      return { type: 'string' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'ID':
      return { type: 'string' };
    case 'DateTime':
      return described({ type: 'string', format: 'date-time' });
    default:
      // A custom scalar: whatever JSON its definition accepts; the gateway coerces it.
      return described({});
  }
}

/** The JSON value of a default, as a client would send it (enum names, lists, objects). */
function jsonDefault(value: unknown, type: GraphQLInputType): unknown {
  const ast = astFromValue(value, type);
  return ast ? valueFromASTUntyped(ast) : undefined;
}

class SchemaBuilder {
  readonly defs: Record<string, JsonSchema> = {};

  typeSchema(type: GraphQLInputType): JsonSchema {
    if (isNonNullType(type)) return this.typeSchema(type.ofType);
    if (isListType(type)) return { type: 'array', items: this.typeSchema(type.ofType) };
    return this.named(type as GraphQLNamedInputType);
  }

  private named(type: GraphQLNamedInputType): JsonSchema {
    if (isScalarType(type)) return scalarSchema(type.name, type.description);
    if (!(type.name in this.defs)) {
      this.defs[type.name] = {}; // placeholder first: a recursive input refers to itself
      this.defs[type.name] = isEnumType(type) ? this.enumSchema(type) : isInputObjectType(type) ? this.inputObjectSchema(type) : {};
    }
    return { $ref: `#/$defs/${type.name}` };
  }

  private enumSchema(type: GraphQLEnumType): JsonSchema {
    const values = type.getValues();
    const described = values.filter((value) => value.description || value.deprecationReason);
    const lines = described.map((value) => `${value.name}: ${[value.description, value.deprecationReason && `deprecated (${value.deprecationReason})`].filter(Boolean).join('; ')}`);
    const description = [type.description, ...lines].filter(Boolean).join('\n');
    return { type: 'string', enum: values.map((value) => value.name), ...(description && { description }) };
  }

  private inputObjectSchema(type: GraphQLInputObjectType): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of Object.values(type.getFields())) {
      const property: JsonSchema = { ...this.typeSchema(field.type) };
      if (field.description) property.description = field.description;
      const defaultValue = field.defaultValue === undefined ? undefined : jsonDefault(field.defaultValue, field.type);
      if (defaultValue !== undefined) property.default = defaultValue;
      properties[field.name] = property.$ref && Object.keys(property).length > 1 ? { allOf: [{ $ref: property.$ref }], ...without(property, '$ref') } : property;
      if (isNonNullType(field.type) && field.defaultValue === undefined) required.push(field.name);
    }
    const oneOf = type.isOneOf === true;
    return {
      type: 'object',
      ...(type.description && { description: type.description }),
      properties,
      ...(required.length && { required }),
      ...(oneOf && { minProperties: 1, maxProperties: 1 }),
      additionalProperties: false,
    };
  }
}

const without = (schema: JsonSchema, key: string) => Object.fromEntries(Object.entries(schema).filter(([name]) => name !== key));

export class UnknownVariableTypeError extends Error {}

/** The input schema of a tool that runs `operation`: one property per variable. */
export function variablesJsonSchema(schema: GraphQLSchema, operation: OperationDefinitionNode): JsonSchema {
  const builder = new SchemaBuilder();
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as TypeNode & { kind: never });
    if (!type || !isInputType(type)) throw new UnknownVariableTypeError(`$${name}: ${print(definition.type)} is not an input type of the API schema`);
    const base = builder.typeSchema(type);
    const defaultValue = definition.defaultValue ? valueFromASTUntyped(definition.defaultValue) : undefined;
    const named = getNamedType(type);
    // The built-in scalars' descriptions say nothing an assistant needs; the domain's own types' do.
    const typeDescription = named.description && !(isScalarType(named) && isSpecifiedScalarType(named)) ? ` (${named.name}: ${named.description})` : '';
    const description = `GraphQL variable $${name}: ${print(definition.type)}${typeDescription}`;
    properties[name] = base.$ref ? { allOf: [base], description } : { ...base, description: base.description ? `${description}. ${base.description}` : description };
    if (defaultValue !== undefined) properties[name].default = defaultValue;
    if (isNonNullType(type) && !definition.defaultValue) required.push(name);
  }
  return {
    type: 'object',
    properties,
    ...(required.length && { required }),
    additionalProperties: false,
    ...(Object.keys(builder.defs).length && { $defs: builder.defs }),
  };
}
