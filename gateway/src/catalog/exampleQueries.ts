/**
 * Example operations generated from the schema, for products whose domain
 * publishes none (examples.graphql): one query per root field the product
 * owns, with example values for required arguments, a small page size, and a
 * few fields at each level. Every example is validated against the API schema;
 * one that does not validate is dropped, never shown.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  parse,
  validate,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

const SCALAR_EXAMPLES: Record<string, string> = {
  ID: '"1"',
  String: '"example"',
  Int: '10',
  Float: '1.5',
  Boolean: 'true',
  DateTime: '"2026-01-01T00:00:00Z"',
};

function exampleValue(type: GraphQLInputType, depth = 0): string {
  if (isNonNullType(type)) return exampleValue(type.ofType, depth);
  if (isListType(type)) return `[${exampleValue(type.ofType, depth)}]`;
  if (isEnumType(type)) return type.getValues()[0]?.name ?? 'null';
  if (isInputObjectType(type)) {
    if (depth > 2) return '{}';
    const required = Object.values(type.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return `{ ${required.map((field) => `${field.name}: ${exampleValue(field.type, depth + 1)}`).join(', ')} }`;
  }
  return isScalarType(type) ? SCALAR_EXAMPLES[type.name] ?? '"example"' : 'null';
}

function argumentsOf(field: GraphQLField<unknown, unknown>): string {
  const args = field.args.flatMap((arg) => {
    if (isNonNullType(arg.type) && arg.defaultValue === undefined) return [`${arg.name}: ${exampleValue(arg.type)}`];
    // A small page keeps the example cheap to run.
    if (arg.name === 'first' && getNamedType(arg.type).name === 'Int') return ['first: 5'];
    return [];
  });
  return args.length ? `(${args.join(', ')})` : '';
}

const needsArguments = (field: GraphQLField<unknown, unknown>) => field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);

function selectionOf(type: GraphQLNamedType, depth: number, indent: string): string {
  if (isLeafType(type)) return '';
  if (isUnionType(type)) return ` { __typename }`;
  if (!isObjectType(type) && !isInterfaceType(type)) return '';
  const fields = Object.values(type.getFields()).filter((field) => !needsArguments(field));
  const leaves = fields.filter((field) => isLeafType(getNamedType(field.type))).slice(0, 5);
  const objects = depth < 3 ? fields.filter((field) => !isLeafType(getNamedType(field.type))).slice(0, depth === 0 ? 2 : 1) : [];
  const inner = `${indent}  `;
  const lines = [
    ...leaves.map((field) => `${inner}${field.name}`),
    ...objects.flatMap((field) => {
      const selection = selectionOf(getNamedType(field.type), depth + 1, inner);
      return selection ? [`${inner}${field.name}${argumentsOf(field)}${selection}`] : [];
    }),
  ];
  return ` {\n${(lines.length ? lines : [`${inner}__typename`]).join('\n')}\n${indent}}`;
}

const operationName = (field: string) => field.charAt(0).toUpperCase() + field.slice(1);

/** Up to `max` example queries over the root Query fields in `rootFields`. */
export function generateExamples(schema: GraphQLSchema, rootFields: string[], max = 3): { title: string; query: string }[] {
  const queryType = schema.getQueryType();
  if (!queryType) return [];
  const examples: { title: string; query: string }[] = [];
  for (const name of rootFields) {
    const field = queryType.getFields()[name];
    if (!field) continue;
    const query = `query ${operationName(name)} {\n  ${name}${argumentsOf(field)}${selectionOf(getNamedType(field.type), 1, '  ')}\n}`;
    if (validate(schema, parse(query)).length) continue;
    examples.push({ title: `${name}: generated from the schema`, query });
    if (examples.length >= max) break;
  }
  return examples;
}
