import { parse } from 'graphql';
import { apiSchema, limits } from '../testing';
import { expandedFieldCount, ExpandedFieldsRule } from './ExpandedFieldsRule';

const schema = apiSchema();

test('counts every field once per place it ends up, fragments expanded', () => {
  expect(expandedFieldCount(parse('{ products(first: 1) { totalCount totalCount } }'))).toBe(3);
  expect(expandedFieldCount(parse('{ a: product(id: "1") { ...P } b: product(id: "2") { ...P } } fragment P on Product { name id }'))).toBe(6);
});

test('a fragment bomb is counted, never expanded: 2^30 leaves in no time', () => {
  const levels = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Product { ...F${i + 1} ...F${i + 1} }`).join(' ');
  const document = parse(`{ products(first: 1) { edges { node { ...F0 } } } } ${levels} fragment F30 on Product { name }`);
  const started = performance.now();
  expect(ExpandedFieldsRule(document, schema, {}, limits())).toEqual({
    limit: 'maxExpandedFields',
    max: 2000,
    actual: 3 + 2 ** 30,
    message: `The query has ${3 + 2 ** 30} fields once its fragments are expanded, more than the limit of 2000`,
  });
  expect(performance.now() - started).toBeLessThan(200);
});

test('every operation counts (each is validated), skipped selections too; cycles end; huge counts saturate', () => {
  expect(expandedFieldCount(parse('query A { products { totalCount } } query B { products { totalCount } }'))).toBe(4);
  expect(expandedFieldCount(parse('{ products @skip(if: true) { totalCount } }'))).toBe(2);
  expect(expandedFieldCount(parse('{ product(id: "1") { ...A } } fragment A on Product { name ...B } fragment B on Product { ...A }'))).toBe(2);
  const levels = Array.from({ length: 1100 }, (_, i) => `fragment F${i} on Product { ...F${i + 1} ...F${i + 1} }`).join(' ');
  expect(expandedFieldCount(parse(`{ product(id: "1") { ...F0 } } ${levels} fragment F1100 on Product { name }`))).toBe(Number.MAX_SAFE_INTEGER);
});
