import { buildSchema, parse, print } from 'graphql';
import { MAX_DEFERRED_PARTS, splitDeferred } from './splitDeferred';
import { acceptsDefer } from './incrementalDelivery';

const schema = buildSchema(`
  type Query { order(id: ID!): Order  orders: [Order!]!  me: Customer }
  type Mutation { pay(id: ID!): Order }
  type Order { id: ID! total: Float! customer: Customer shipment: Shipment }
  type Customer { id: ID! name: String segment: String }
  type Shipment { status: String }
`);
const flat = (text: string) => print(parse(text));
const split = (query: string, variables: Record<string, unknown> = {}) => splitDeferred(schema, parse(query), undefined, variables);

test('an operation without @defer is not split', () => {
  expect(split('{ order(id: "1") { id } }')).toBeNull();
});

test('a deferred fragment leaves the primary operation and becomes its own, with the path to it and only the variables it uses', () => {
  const result = split('query Q($id: ID!, $other: ID!) { me { id } order(id: $id) { id ... @defer(label: "slow") { shipment { status } } } x: order(id: $other) { id } }')!;
  expect(print(result.primary)).toBe(flat('query Q($id: ID!, $other: ID!) { me { id } order(id: $id) { id } x: order(id: $other) { id } }'));
  expect(result.deferred).toEqual([{ label: 'slow', path: ['order'], document: expect.anything() }]);
  expect(print(result.deferred[0].document)).toBe(flat('query Q($id: ID!) { order(id: $id) { ... { shipment { status } } } }'));
});

test('named fragments are inlined, a deferred spread keeps its type condition, and aliases make the path', () => {
  const result = split('{ o: order(id: "1") { ...Who @defer } } fragment Who on Order { customer { name } }')!;
  expect(print(result.primary)).toBe(flat('{ o: order(id: "1") { __typename } }'));
  expect(result.placeholders).toEqual([['o']]);
  expect(result.deferred.map((part) => [part.path, print(part.document)])).toEqual([[['o'], flat('{ o: order(id: "1") { ... on Order { customer { name } } } }')]]);
});

test('not deferred: if: false (literal or variable), below a list, nested in a deferred fragment, in a mutation', () => {
  expect(split('query($d: Boolean!) { order(id: "1") { id ... @defer(if: $d) { total } } }', { d: false })!.deferred).toEqual([]);
  expect(print(split('{ order(id: "1") { id ... @defer(if: false) { total } } }')!.primary)).toBe(flat('{ order(id: "1") { id ... { total } } }'));
  expect(print(split('{ orders { id ... @defer { total } } }')!.primary)).toBe(flat('{ orders { id ... { total } } }'));
  const nested = split('{ ... @defer(label: "a") { me { id ... @defer(label: "b") { name } } } }')!;
  expect(nested.deferred.map((part) => [part.label, print(part.document)])).toEqual([['a', flat('{ ... { me { id ... { name } } } }')]]);
  expect(nested.placeholders).toEqual([[]]);
  const mutation = split('mutation { pay(id: "1") { id ... @defer { total } } }')!;
  expect(mutation.deferred).toEqual([]);
  expect(print(mutation.primary)).toBe(flat('mutation { pay(id: "1") { id ... { total } } }'));
});

test('a deferred fragment that @skip or @include leaves out is in no payload', () => {
  const result = split('query($show: Boolean!) { order(id: "1") { id ... @defer @include(if: $show) { total } ... @defer @skip(if: true) { shipment { status } } } }', { show: false })!;
  expect(result.deferred).toEqual([]);
  expect(print(result.primary)).toBe(flat('{ order(id: "1") { id } }'));
  expect(split('query($show: Boolean!) { order(id: "1") { id ... @defer @include(if: $show) { total } } }', { show: true })!.deferred).toHaveLength(1);
});

test(`at most ${MAX_DEFERRED_PARTS} parts; the others come in the first payload`, () => {
  const fragments = Array.from({ length: MAX_DEFERRED_PARTS + 3 }, (_, i) => `a${i}: order(id: "${i}") { id ... @defer { total } }`).join(' ');
  const result = split(`{ ${fragments} }`)!;
  expect(result.deferred).toHaveLength(MAX_DEFERRED_PARTS);
  expect(print(result.primary)).toContain(`a${MAX_DEFERRED_PARTS}: order(id: "${MAX_DEFERRED_PARTS}") {\n    id\n    ... {\n      total`);
});

test.each([
  ['multipart/mixed;deferSpec=20220824,application/json', true],
  ['multipart/mixed; deferSpec="20220824"; q=0.5', true],
  ['application/json, multipart/mixed;deferSpec=20220824;q=0', false],
  ['multipart/mixed', false],
  ['multipart/mixed;incrementalSpec=v0.2', false],
  ['application/json', false],
  ['', false],
])('Accept %j takes the 2022-08-24 multipart format: %s', (accept, expected) => {
  expect(acceptsDefer(accept)).toBe(expected);
});
