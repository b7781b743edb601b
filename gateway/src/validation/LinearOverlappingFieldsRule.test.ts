import fc from 'fast-check';
import { OverlappingFieldsCanBeMergedRule, parse, validate } from 'graphql';
import { apiSchema } from '../limits/testing';
import { LinearOverlappingFieldsRule } from './LinearOverlappingFieldsRule';

const schema = apiSchema();
const linear = (source: string) => validate(schema, parse(source, { maxTokens: 1e7 }), [LinearOverlappingFieldsRule]).map((error) => error.message);
const graphqlJs = (source: string) => validate(schema, parse(source), [OverlappingFieldsCanBeMergedRule]).map((error) => error.message);

test.each([
  '{ products(first: 1) { totalCount totalCount } }',
  '{ products(first: 1) { totalCount } products(first: 2) { totalCount } }',
  '{ product(id: "1") { x: name x: id } }',
  '{ products(first: 1) { edges { node { x: name } } } products(first: 1) { edges { node { x: id } } } }',
  '{ products(first: 1) { ...A ...B } } fragment A on ProductConnection { edges { node { n: name } } } fragment B on ProductConnection { edges { node { n: id } } }',
  '{ product(id: "1") { ... on Product { name } name: id } }',
  '{ products(first: 1, filter: { active: true, search: "a" }) { totalCount } products(filter: { search: "a", active: true }, first: 1) { totalCount } }',
])('the same verdict and message as graphql-js: %s', (source) => {
  const expected = graphqlJs(source);
  const actual = linear(source);
  expect(actual.length > 0).toBe(expected.length > 0);
  for (const message of expected) expect(actual).toContain(message);
});

test('a fragment cycle ends', () => {
  expect(linear('{ product(id: "1") { ...A } } fragment A on Product { name ...B } fragment B on Product { ...A }')).toEqual([]);
});

test('linear: 50,000 copies of one field, and 5,000 differing sub-selections of one field, in seconds, not the minutes of a quadratic rule', () => {
  // About 0.5 s each on an idle machine; graphql-js's quadratic rule takes minutes on the first. The bound leaves room for a loaded CI machine.
  let started = performance.now();
  expect(linear(`{ products(first: 1) { ${'totalCount '.repeat(50_000)} } }`)).toEqual([]);
  const variants = ['totalCount', 'edges { cursor }', 'edges { node { name } }', 'pageInfo { hasNextPage }'];
  expect(linear(`{ ${Array.from({ length: 5000 }, (_, i) => `products(first: 1) { ${variants[i % 4]} ${variants[(i >> 2) % 4]} }`).join(' ')} }`)).toEqual([]);
  expect(performance.now() - started).toBeLessThan(15_000);
  started = performance.now();
  expect(linear(`{ ${Array.from({ length: 20_000 }, (_, i) => `x: products(first: ${i % 3}) { totalCount }`).join(' ')} }`)).toHaveLength(1);
  expect(performance.now() - started).toBeLessThan(15_000);
});

/** Random small operations over products, with aliases colliding on purpose: the verdict must be graphql-js's. */
test('property: valid exactly when graphql-js says so', () => {
  const leaf = fc.constantFrom('name', 'id', 'x: name', 'x: id', 'x: totalCount', '__typename', 'x: __typename');
  const node = fc.array(leaf, { minLength: 1, maxLength: 3 }).map((fields) => `node { ${fields.join(' ')} }`);
  const edge = fc.array(fc.oneof(node, fc.constant('cursor'), fc.constant('x: cursor')), { minLength: 1, maxLength: 3 }).map((fields) => `edges { ${fields.join(' ')} }`);
  const connectionField = fc.oneof(edge, fc.constant('totalCount'), fc.constant('x: totalCount'), edge.map((e) => `... on ProductConnection { ${e} }`));
  const root = fc
    .tuple(fc.constantFrom('products', 'x: products', 'products(first: 1)', 'products(first: 2)', 'x: products(first: 1)'), fc.array(connectionField, { minLength: 1, maxLength: 3 }))
    .map(([field, selections]) => `${field} { ${selections.join(' ')} }`);
  fc.assert(
    fc.property(fc.array(root, { minLength: 1, maxLength: 4 }), (roots) => {
      const source = `{ ${roots.join(' ')} }`;
      expect(linear(source).length > 0).toBe(graphqlJs(source).length > 0);
    }),
    { numRuns: 400 },
  );
});
