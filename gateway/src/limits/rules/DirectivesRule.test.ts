import { parse } from 'graphql';
import { apiSchema, limits } from '../testing';
import { DirectivesRule } from './DirectivesRule';

const schema = apiSchema();
const directivesIn = (source: string) => DirectivesRule(parse(source), schema, {}, limits({ maxDirectives: 0 }))?.actual ?? 0;

test('counts directives on the operation, fields, inline fragments and spreads, fragments expanded where spread', () => {
  expect(directivesIn('{ products { totalCount } }')).toBe(0);
  expect(directivesIn('query Q @skip(if: false) { products @include(if: true) { totalCount @skip(if: true) ... @include(if: true) { totalCount } } }')).toBe(4);
  expect(directivesIn('{ a: product(id: "1") { ...P @include(if: true) } b: product(id: "2") { ...P } } fragment P on Product { name @skip(if: false) }')).toBe(3);
});

test('over the limit names it; a cycle ends', () => {
  const document = parse(`{ products { totalCount ${'@include(if: true) '.repeat(60)} } }`);
  expect(DirectivesRule(document, schema, {}, limits())).toEqual({ limit: 'maxDirectives', max: 50, actual: 60, message: 'The query uses 60 directives, more than the limit of 50' });
  expect(directivesIn('{ product(id: "1") { ...A } } fragment A on Product { name @skip(if: false) ...B } fragment B on Product { ...A }')).toBe(1);
});
