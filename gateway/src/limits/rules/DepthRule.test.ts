import { parse } from 'graphql';
import { apiSchema, limits, validOperation } from '../testing';
import { DepthRule } from './DepthRule';

const schema = apiSchema();
/** The depth the rule measures: with maxDepth 1, every operation deeper than 1 reports its depth. */
const depthOf = (source: string, variables?: Record<string, unknown>, operationName?: string) =>
  DepthRule(validOperation(source), schema, variables, limits({ maxDepth: 1 }), operationName)?.actual ?? 1;

test('counts field levels: `{ a { b } }` is 2', () => {
  expect(depthOf('{ orders { totalCount } }')).toBe(2);
  expect(depthOf('{ orders { edges { node { customer { name } } } } }')).toBe(5);
});

test('within the limit gives null; over it names the limit, max and actual', () => {
  const document = validOperation('{ orders { edges { node { customer { name } } } } }');
  expect(DepthRule(document, schema, {}, limits({ maxDepth: 5 }))).toBeNull();
  expect(DepthRule(document, schema, {}, limits({ maxDepth: 4 }))).toEqual({
    limit: 'maxDepth',
    max: 4,
    actual: 5,
    message: 'Query depth 5 exceeds the limit of 4',
  });
});

test('nested fragments are expanded where they are spread', () => {
  const source = `
    query { customer(id: "1") { ...CustomerOrders } }
    fragment CustomerOrders on Customer { orders { edges { node { ...OrderCustomer } } } }
    fragment OrderCustomer on Order { customer { ...CustomerOrdersAgain } }
    fragment CustomerOrdersAgain on Customer { orders { edges { node { id } } } }`;
  // customer 1, orders 2, edges 3, node 4, customer 5, orders 6, edges 7, node 8, id 9
  expect(depthOf(source)).toBe(9);
});

test('inline fragments add no level of their own but their fields do', () => {
  const source = `{ ... on Query { order(id: "1") { ... on Order { customer { ... { orders { totalCount } } } } } } }`;
  expect(depthOf(source)).toBe(4);
});

test('__typename never adds a level; introspection is measured by IntrospectionRule, not here', () => {
  expect(depthOf('{ order(id: "1") { __typename } }')).toBe(1);
  expect(depthOf('{ __typename }')).toBe(1); // 0, below every limit
  expect(depthOf('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }')).toBe(1);
  expect(depthOf('{ __schema { types { fields { type { ofType { ofType { name } } } } } } order(id: "1") { customer { name } } }')).toBe(3);
});

test('selections dropped by @skip / @include do not count, with literals or variables', () => {
  const source = `query ($deep: Boolean!) { orders { totalCount edges @include(if: $deep) { node { customer { name } } } } }`;
  expect(depthOf(source, { deep: true })).toBe(5);
  expect(depthOf(source, { deep: false })).toBe(2);
  expect(depthOf('{ orders { totalCount edges @skip(if: true) { node { id } } } }')).toBe(2);
});

test('a fragment cycle ends (validation rejects it, the rule must still not loop)', () => {
  const document = parse(`
    { order(id: "1") { ...A } }
    fragment A on Order { customer { ...B } }
    fragment B on Customer { orders { edges { node { ...A } } } }`);
  const violation = DepthRule(document, schema, {}, limits({ maxDepth: 1 }));
  expect(violation?.actual).toBe(5); // order, customer, orders, edges, node; the second A adds nothing
});

test('measures the operation that runs; without a name, the deepest', () => {
  const source = 'query Shallow { orders { totalCount } } query Deep { orders { edges { node { id } } } }';
  expect(depthOf(source, {}, 'Shallow')).toBe(2);
  expect(depthOf(source, {}, 'Deep')).toBe(4);
  expect(depthOf(source)).toBe(4);
});
