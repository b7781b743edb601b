import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { UnknownVariableTypeError, variablesJsonSchema } from './variablesSchema';

const schema = buildSchema(/* GraphQL */ `
  "An instant"
  scalar DateTime
  "How to sort"
  enum Direction { "oldest first" ASC DESC @deprecated(reason: "use ASC") }
  input Filter {
    "Only this status"
    status: String!
    from: DateTime
    direction: Direction = DESC
    and: [Filter!]
  }
  input Pick @oneOf { id: ID, email: String }
  type Query { orders(filter: Filter, ids: [ID!]!, first: Int, pick: Pick): [String] }
`);

const operation = (source: string) => parse(source).definitions[0] as OperationDefinitionNode;

test('non-null variables without a default are required; lists, enums, input objects and defaults are typed', () => {
  const generated = variablesJsonSchema(schema, operation('query Q($filter: Filter, $ids: [ID!]!, $first: Int = 20, $pick: Pick) { orders(filter: $filter, ids: $ids, first: $first, pick: $pick) }'));
  expect(generated).toEqual({
    type: 'object',
    properties: {
      filter: { allOf: [{ $ref: '#/$defs/Filter' }], description: 'GraphQL variable $filter: Filter' },
      ids: { type: 'array', items: { type: 'string' }, description: 'GraphQL variable $ids: [ID!]!' },
      first: { type: 'integer', minimum: -2147483648, maximum: 2147483647, description: 'GraphQL variable $first: Int', default: 20 },
      pick: { allOf: [{ $ref: '#/$defs/Pick' }], description: 'GraphQL variable $pick: Pick' },
    },
    required: ['ids'],
    additionalProperties: false,
    $defs: {
      Filter: {
        type: 'object',
        properties: {
          status: { type: 'string', description: 'Only this status' },
          from: { type: 'string', format: 'date-time', description: 'An instant' },
          direction: { allOf: [{ $ref: '#/$defs/Direction' }], default: 'DESC' },
          // Recursive inputs refer to their own definition.
          and: { type: 'array', items: { $ref: '#/$defs/Filter' } },
        },
        required: ['status'],
        additionalProperties: false,
      },
      Direction: { type: 'string', enum: ['ASC', 'DESC'], description: 'How to sort\nASC: oldest first\nDESC: deprecated (use ASC)' },
      Pick: { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' } }, minProperties: 1, maxProperties: 1, additionalProperties: false },
    },
  });
});

test('a non-null variable with a default is optional', () => {
  expect(variablesJsonSchema(schema, operation('query Q($ids: [ID!]! = ["1"]) { orders(ids: $ids) }')).required).toBeUndefined();
});

test('a variable whose type the schema lacks is an error naming the variable and the type', () => {
  expect(() => variablesJsonSchema(schema, operation('query Q($x: Missing) { orders(ids: []) }'))).toThrow(UnknownVariableTypeError);
  expect(() => variablesJsonSchema(schema, operation('query Q($x: Missing) { orders(ids: []) }'))).toThrow('$x: Missing is not an input type of the API schema');
});
