import { parse } from 'graphql';
import { apiSchema, limits, validOperation } from '../testing';
import { AliasesRule } from './AliasesRule';

const schema = apiSchema();
const aliasesIn = (source: string, variables?: Record<string, unknown>) =>
  AliasesRule(validOperation(source), schema, variables, limits({ maxAliases: 0 }), undefined)?.actual ?? 0;

test('counts aliased fields at every level', () => {
  expect(aliasesIn('{ orders { totalCount } }')).toBe(0);
  expect(aliasesIn('{ a: order(id: "1") { id } b: order(id: "2") { amount: total } }')).toBe(3);
});

test('within the limit gives null; over it names the limit, max and actual', () => {
  const document = validOperation('{ a: order(id: "1") { id } b: order(id: "2") { id } }');
  expect(AliasesRule(document, schema, {}, limits({ maxAliases: 2 }))).toBeNull();
  expect(AliasesRule(document, schema, {}, limits({ maxAliases: 1 }))).toEqual({
    limit: 'maxAliases',
    max: 1,
    actual: 2,
    message: 'The query uses 2 aliases, more than the limit of 1',
  });
});

test('aliases hidden in fragments count once per place the fragment is spread', () => {
  const source = `
    { a: order(id: "1") { ...Totals } b: order(id: "2") { ...Totals } c: order(id: "3") { ... on Order { ...Totals } } }
    fragment Totals on Order { x: total y: total z: currency }`;
  expect(aliasesIn(source)).toBe(3 + 3 * 3);
});

test('fragments spreading fragments multiply, and the count stays quick', () => {
  // Each level doubles the aliases of the one below: 2^11 aliased fields from a short document.
  const levels = Array.from({ length: 10 }, (_, i) => `fragment F${i + 1} on Order { ...F${i} customer { orders { edges { node { ...F${i} } } } } }`);
  const source = `{ order(id: "1") { ...F10 } } fragment F0 on Order { a: id b: total } ${levels.join(' ')}`;
  expect(aliasesIn(source)).toBe(2 ** 11);
});

test('@skip / @include drop aliases; a fragment cycle ends', () => {
  expect(aliasesIn('query ($no: Boolean!) { a: order(id: "1") { id } b: order(id: "2") @include(if: $no) { id } }', { no: false })).toBe(1);
  const cyclic = parse('{ order(id: "1") { ...A } } fragment A on Order { x: id customer { orders { edges { node { ...A } } } } }');
  expect(AliasesRule(cyclic, schema, {}, limits({ maxAliases: 0 }))?.actual).toBe(1);
});
