/**
 * ResponseShape against @apollo/gateway's own result shaping (computeResponse),
 * on the same schema, operations and subgraph data: same data, same errors
 * (message, path, code), including the invalid cases where null propagation
 * and value-completion errors decide the answer.
 */
import { buildSchema, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { buildSchema as buildFederationSchema, operationFromDocument } from '@apollo/federation-internals';
import { computeResponse } from '@apollo/gateway/dist/resultShaping';
import { ResponseShape } from './ResponseShape';

const SDL = /* GraphQL */ `
  enum Status { OPEN SHIPPED }
  scalar JSON
  interface Node { id: ID! }
  type Customer implements Node { id: ID! name: String tags: [String!] }
  type Order implements Node { id: ID! total: Float! count: Int status: Status customer: Customer! lines: [Line!] extra: JSON }
  type Line { sku: String! quantity: Int! }
  union Result = Customer | Order
  type Query { orders: [Order!]! order: Order node: Node search: [Result] customer: Customer }
`;

const graphqlSchema = buildSchema(SDL);
const federationSchema = buildFederationSchema(SDL);

function both(query: string, input: Record<string, unknown>, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((d) => [d.name.value, d]),
  );
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
  const summary = (result: { data: unknown; errors: { message: string; path?: readonly unknown[]; extensions: Record<string, unknown> }[] }) => ({
    data: plain(result.data),
    errors: result.errors.map((error) => ({ message: error.message, path: error.path, code: error.extensions.code })),
  });
  const ours = new ResponseShape(graphqlSchema, graphqlSchema.getQueryType()!, operation.selectionSet, fragments, variables).apply(plain(input));
  const apollo = computeResponse({
    operation: operationFromDocument(federationSchema, document),
    variables,
    input: plain(input),
    introspectionHandling: () => null,
  });
  return { ours: summary(ours as never), apollo: summary(apollo as never) };
}

const order = {
  __typename: 'Order',
  id: 'o1',
  total: 12.5,
  count: 3,
  status: 'OPEN',
  customer: { __typename: 'Customer', id: 'c1', name: 'Ada', tags: ['vip'] },
  lines: [{ sku: 'A', quantity: 1 }],
  extra: { any: ['thing'] },
  unrequested: 'dropped',
};

const cases: [string, string, Record<string, unknown>, Record<string, unknown>?][] = [
  ['valid data, aliases, only requested fields', '{ orders { id t: total status customer { name } lines { sku } extra } }', { orders: [order] }],
  ['fields in the operation order, not the input order', '{ orders { status id } }', { orders: [{ id: 'o1', status: 'OPEN', total: 1 }] }],
  ['__typename, aliased and on the root', '{ __typename orders { kind: __typename __typename id } }', { orders: [order] }],
  ['fragments on an interface and on a union', '{ node { id ... on Order { total } ...C } search { ... on Customer { name } ... on Order { id } } } fragment C on Customer { name }', {
    node: order,
    search: [{ __typename: 'Customer', name: 'Ada' }, { __typename: 'Order', id: 'o2' }, null],
  }],
  ['the same field twice, selections merged', '{ order { customer { id } customer { name } ... on Order { customer { tags } } } }', { order }],
  ['null in a non-null field nulls the nearest nullable parent', '{ order { id customer { name } } orders { id } }', { order: { ...order, customer: null }, orders: [order] }],
  ['null in a non-null list element nulls the list parent up to nullable', '{ orders { id lines { sku quantity } } }', { orders: [{ ...order, lines: [{ sku: 'A', quantity: null }] }] }],
  ['null propagation reaches the root', '{ orders { id total } }', { orders: [{ id: 'o1', total: null }] }],
  ['invalid enum value', '{ order { status } }', { order: { status: 'LOST' } }],
  ['invalid Int and Float values', '{ order { count total } customer { name } }', { order: { count: 1.5, total: 'x' }, customer: { name: 7 } }],
  ['ID accepts integers, not floats', '{ orders { id } }', { orders: [{ id: 7 }, { id: 7.5 }] }],
  ['unknown __typename', '{ node { id } }', { node: { __typename: 'Ghost', id: 'x' } }],
  ['missing data is null', '{ order { id customer { name } } customer { name tags } }', {}],
  ['@skip and @include with variables', 'query ($a: Boolean!, $b: Boolean!) { order { id @skip(if: $a) total @include(if: $b) status @include(if: true) } }', { order }, { a: true, b: false }],
  ['@skip and @include, the other way', 'query ($a: Boolean!, $b: Boolean!) { order { id @skip(if: $a) total @include(if: $b) } }', { order }, { a: false, b: true }],
  ['a key named like an Object.prototype member', '{ order { constructor: id toString: total } }', { order: { constructor: 'o1', toString: 2 } }],
  ['an inherited key the input does not have is null', '{ customer { constructor: name } }', { customer: {} }],
];

describe('ResponseShape matches @apollo/gateway result shaping', () => {
  // One argument per row (jest would read a fourth parameter as a done callback for rows of three).
  test.each(cases.map((row) => [row[0], row]))('%s', (_name, [, query, input, variables]) => {
    const { ours, apollo } = both(query, input, variables);
    expect(ours).toEqual(apollo);
  });

  test('a shape is reused across requests with different data', () => {
    const document = parse('{ orders { id status } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const shape = new ResponseShape(graphqlSchema, graphqlSchema.getQueryType()!, operation.selectionSet, {}, {});
    expect(shape.apply({ orders: [order] }).data).toEqual({ orders: [{ id: 'o1', status: 'OPEN' }] });
    expect(shape.apply({ orders: [{ id: 'o2', status: 'SHIPPED' }, { id: 'o3', status: null }] }).data).toEqual({
      orders: [{ id: 'o2', status: 'SHIPPED' }, { id: 'o3', status: null }],
    });
  });

  test('an "__proto__" alias cannot replace the prototype of an output object', () => {
    const document = parse('{ order { __proto__: id } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const { data } = new ResponseShape(graphqlSchema, graphqlSchema.getQueryType()!, operation.selectionSet, {}, {}).apply(JSON.parse('{"order":{"__proto__":"x"}}'));
    const shaped = data!.order as Record<string, unknown>;
    expect(Object.getPrototypeOf(shaped)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(shaped, '__proto__')?.value).toBe('x');
  });
});
