import { getIntrospectionQuery, parse } from 'graphql';
import { apiSchema, limits, validOperation } from '../testing';
import { AliasesRule } from './AliasesRule';
import { CostRule } from './CostRule';
import { DepthRule } from './DepthRule';
import { IntrospectionRule } from './IntrospectionRule';

const schema = apiSchema();
const strict = limits({ maxIntrospectionFields: 0, maxIntrospectionDepth: 1, maxIntrospectionListNesting: 1, maxIntrospectionAliases: 0 });
/** The rule's verdict with one bound at a time lowered to its minimum. */
const measured = (source: string, limit: 'maxIntrospectionFields' | 'maxIntrospectionDepth' | 'maxIntrospectionListNesting' | 'maxIntrospectionAliases') =>
  IntrospectionRule(parse(source), schema, {}, limits({ [limit]: strict[limit] }))?.actual ?? strict[limit];

/** What GraphiQL 3 sends to load the schema (graphiql's own options). */
const GRAPHIQL_INTROSPECTION = getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: false });

test('the standard introspection queries are within the default bounds, and the data rules do not measure them', () => {
  for (const source of [getIntrospectionQuery(), GRAPHIQL_INTROSPECTION, getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true, specifiedByUrl: true, directiveIsRepeatable: true, oneOf: true })]) {
    const document = validOperation(source);
    expect(IntrospectionRule(document, schema, {}, limits())).toBeNull();
    // Before: "Query depth 15 exceeds the limit of 10" and a cost of 99,746 (types x fields x 20 assumed).
    expect(DepthRule(document, schema, {}, limits({ maxDepth: 1 }))).toBeNull();
    expect(CostRule(document, schema, {}, limits({ maxCost: 0 }))).toBeNull();
  }
  expect(measured(GRAPHIQL_INTROSPECTION, 'maxIntrospectionDepth')).toBe(15);
  expect(measured(GRAPHIQL_INTROSPECTION, 'maxIntrospectionListNesting')).toBe(2);
  expect(measured(GRAPHIQL_INTROSPECTION, 'maxIntrospectionFields')).toBe(1);
});

test('data beside introspection is still measured by the data rules', () => {
  const document = validOperation('{ __schema { queryType { name } } orders { edges { node { customer { name } } } } }');
  expect(DepthRule(document, schema, {}, limits({ maxDepth: 4 }))?.actual).toBe(5);
  expect(CostRule(document, schema, {}, limits({ maxCost: 0 }))?.actual).toBeGreaterThan(0);
  const aliased = validOperation('{ s: __schema { q: queryType { name } } a: orders { totalCount } }');
  expect(AliasesRule(aliased, schema, {}, limits({ maxAliases: 0 }))?.actual).toBe(1);
  expect(measured('{ s: __schema { q: queryType { n: name } } a: orders { totalCount } }', 'maxIntrospectionAliases')).toBe(3);
});

test('repeated __schema/__type fields count each occurrence, fragments expanded where spread', () => {
  expect(measured('{ __schema { queryType { name } } __type(name: "Order") { name } }', 'maxIntrospectionFields')).toBe(2);
  expect(measured('{ a: __schema { queryType { name } } b: __schema { queryType { name } } c: __schema { queryType { name } } }', 'maxIntrospectionFields')).toBe(3);
  expect(measured('{ ...F ...F ...F ...F } fragment F on Query { __type(name: "Order") { name } }', 'maxIntrospectionFields')).toBe(4);
  const violation = IntrospectionRule(parse(`{ ${Array.from({ length: 4 }, (_, i) => `t${i}: __type(name: "Order") { name }`).join(' ')} }`), schema, {}, limits());
  expect(violation).toEqual({ limit: 'maxIntrospectionFields', max: 3, actual: 4, message: 'The query asks for __schema or __type 4 times, more than the limit of 3' });
});

test('a deep ofType chain is refused by depth; nested fields lists by list nesting', () => {
  const ofType = (levels: number) => `${'ofType { '.repeat(levels)}name${' }'.repeat(levels)}`;
  const deep = parse(`{ __type(name: "Order") { fields { type { ${ofType(30)} } } } }`);
  expect(IntrospectionRule(deep, schema, {}, limits())).toMatchObject({ limit: 'maxIntrospectionDepth', max: 20, actual: 34 });
  const fanOut = parse('{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }');
  expect(IntrospectionRule(fanOut, schema, {}, limits())).toMatchObject({ limit: 'maxIntrospectionListNesting', max: 2, actual: 4 });
  // Through fragments and inline fragments too.
  const viaFragments = parse('{ __type(name: "Order") { ...T } } fragment T on __Type { fields { type { ... on __Type { possibleTypes { interfaces { name } } } } } }');
  expect(IntrospectionRule(viaFragments, schema, {}, limits())).toMatchObject({ limit: 'maxIntrospectionListNesting', actual: 3 });
});

test('a misplaced __type under a data field is still measured as introspection', () => {
  const hidden = parse(`{ orders { edges { node { __type(name: "Order") { fields { type { fields { type { fields { name } } } } } } } } } }`);
  expect(IntrospectionRule(hidden, schema, {}, limits())).toMatchObject({ limit: 'maxIntrospectionListNesting', actual: 3 });
});

test('ends on fragment cycles and measures a fragment bomb without expanding it', () => {
  expect(IntrospectionRule(parse('{ __schema { ...A } } fragment A on __Schema { ...B } fragment B on __Schema { ...A types { name } }'), schema, {}, limits())).toBeNull();
  const levels = 40;
  const bomb = [`{ __schema { ...F0 } }`, ...Array.from({ length: levels }, (_, i) => `fragment F${i} on __Schema { ${i + 1 < levels ? `...F${i + 1} ...F${i + 1}` : 'a: queryType { name }'} }`)].join('\n');
  const started = performance.now();
  expect(IntrospectionRule(parse(bomb), schema, {}, limits())).toMatchObject({ limit: 'maxIntrospectionAliases', actual: 2 ** (levels - 1) });
  expect(performance.now() - started).toBeLessThan(500);
});

test('selections dropped by @skip/@include are not counted', () => {
  expect(IntrospectionRule(parse('{ __schema @skip(if: true) { types { fields { type { fields { type { fields { name } } } } } } } }'), schema, {}, limits())).toBeNull();
});
