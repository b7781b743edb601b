import { parse } from 'graphql';
import { apiSchema, limits, validOperation } from '../testing';
import { CostRule } from './CostRule';

const schema = apiSchema();
const costOf = (source: string, variables?: Record<string, unknown>, overrides = {}) =>
  CostRule(validOperation(source), schema, variables, limits({ maxCost: 0, ...overrides }), undefined)?.actual ?? 0;

test('1 per object or list field, scalars free by default', () => {
  // order 1, customer 1; id, name free
  expect(costOf('{ order(id: "1") { id customer { name } } }')).toBe(2);
  // lines is a list field (1) of 20 assumed lines, each with a product (1)
  expect(costOf('{ order(id: "1") { lines { amount product { name } } } }')).toBe(1 + 1 + 20);
});

test('scalars can be given a small cost', () => {
  expect(costOf('{ order(id: "1") { id total customer { name } } }', {}, { scalarCost: 1 })).toBe(5);
});

test('a literal `first` sizes the connection; its edges and nodes inherit it', () => {
  // orders 1, edges 1, node x100; totalCount free
  expect(costOf('{ orders(first: 100) { totalCount edges { node { id } } } }')).toBe(102);
});

test('a variable `first` comes from the request, else the variable default, else the argument default in the schema', () => {
  const withDefault = 'query ($n: Int = 50) { orders(first: $n) { edges { node { id } } } }';
  expect(costOf(withDefault, { n: 7 })).toBe(1 + 1 + 7);
  expect(costOf(withDefault, {})).toBe(1 + 1 + 50);
  expect(costOf('query ($n: Int) { orders(first: $n) { edges { node { id } } } }', {})).toBe(1 + 1 + 20);
  // No argument at all: the schema says `first: Int = 20`.
  expect(costOf('{ orders { edges { node { id } } } }')).toBe(1 + 1 + 20);
  // An explicit null gives no bound the gateway can trust: defaultListSize (here 3).
  expect(costOf('query ($n: Int) { orders(first: $n) { edges { node { id } } } }', { n: null }, { defaultListSize: 3 })).toBe(1 + 1 + 3);
});

test('a list argument default from the schema applies inside a list too', () => {
  // campaignPerformance: no size argument, 20 assumed; each one's conversions: `first: Int = 100` (connection 1, edges 1, nodes), each with an order.
  const source = '{ campaignPerformance(from: "2026-01-01T00:00:00Z", to: "2026-07-01T00:00:00Z") { conversions { edges { node { order { id } } } } } }';
  expect(costOf(source)).toBe(1 + 20 * (1 + 1 + 100 * 2));
  expect(costOf(source.replace('conversions {', 'conversions(first: 10) {'))).toBe(1 + 20 * (1 + 1 + 10 * 2));
});

test('nested lists multiply: 100 orders x 5 lines = 500 products', () => {
  const source = '{ orders(first: 100) { edges { node { lines { product { name } } } } } }';
  // orders 1, edges 1, node 100, lines 100, product 100 x 5
  expect(costOf(source, {}, { defaultListSize: 5 })).toBe(702);
  const document = validOperation(source);
  expect(CostRule(document, schema, {}, limits({ defaultListSize: 5, maxCost: 702 }))).toBeNull();
  expect(CostRule(document, schema, {}, limits({ defaultListSize: 5, maxCost: 500 }))).toEqual({
    limit: 'maxCost',
    max: 500,
    actual: 702,
    message: "Estimated query cost 702, assuming list sizes OrderConnection.edges 100 (the connection's size argument), Order.lines 5 (defaultListSize), exceeds the limit of 500",
  });
});

test('connections inside nodes take their own first; the outer size does not leak further', () => {
  // customers 1, edges 1, node 10, orders 10, edges 10, node 10 x 3, lines 30, (20 assumed) products 600
  const source = '{ customers(first: 10) { edges { node { orders(first: 3) { edges { node { lines { product { id } } } } } } } } }';
  expect(costOf(source)).toBe(1 + 1 + 10 + 10 + 10 + 30 + 30 + 600);
});

test('fragments are expanded, inheriting the connection size where they are spread', () => {
  const source = `
    { orders(first: 10) { ...Page } customer(id: "1") { orders(first: 2) { ...Page } } }
    fragment Page on OrderConnection { edges { node { ...Lines } } }
    fragment Lines on Order { lines { product { id } } }`;
  // orders 1 + edges 1 + node 10 + lines 10 + products 200;  customer 1 + orders 1 + edges 1 + node 2 + lines 2 + products 40
  expect(costOf(source)).toBe(222 + 47);
});

test('introspection (bounded by IntrospectionRule), __typename and skipped selections are free', () => {
  expect(costOf('{ __schema { types { fields { type { name } } } } }')).toBe(0);
  expect(costOf('{ __type(name: "Order") { fields { type { name } } } order(id: "1") { id } }')).toBe(1);
  expect(costOf('{ order(id: "1") { __typename } }')).toBe(1);
  expect(costOf('query ($all: Boolean!) { order(id: "1") { lines @include(if: $all) { product { id } } } }', { all: false })).toBe(1);
});

test('a large estimate is exact, and strange documents never throw', () => {
  const deep = '{ customers(first: 1000) { edges { node { orders(first: 1000) { edges { node { lines { product { id } } } } } } } } }';
  // customers 1, edges 1, node 1000, orders 1000, edges 1000, node 1e6, lines 1e6, products 2e7
  expect(costOf(deep)).toBe(22_003_002);
  const unknownField = parse('{ nope { id } orders(first: "x") { edges { node { id } } } }');
  expect(() => CostRule(unknownField, schema, {}, limits())).not.toThrow();
  const cyclic = parse('{ order(id: "1") { ...A } } fragment A on Order { customer { orders { edges { node { ...A } } } } }');
  expect(CostRule(cyclic, schema, {}, limits({ maxCost: 0 }))?.actual).toBe(1 + 1 + 1 + 1 + 20);
});
