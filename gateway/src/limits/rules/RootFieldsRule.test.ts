import { apiSchema, limits, validOperation } from '../testing';
import { RootFieldsRule } from './RootFieldsRule';

const schema = apiSchema();
const rootFieldsOf = (source: string, variables?: Record<string, unknown>) =>
  RootFieldsRule(validOperation(source), schema, variables, limits({ maxRootFields: 1 }), undefined)?.actual ?? 1;

test('counts distinct top-level response keys', () => {
  expect(rootFieldsOf('{ orders { totalCount } customers { totalCount } zones { id } }')).toBe(3);
  // Same response key: GraphQL merges them into one field.
  expect(rootFieldsOf('{ orders { totalCount } orders { totalCount } }')).toBe(1);
  // Aliases are distinct fields.
  expect(rootFieldsOf('{ a: orders { totalCount } b: orders { totalCount } }')).toBe(2);
});

test('within the limit gives null; over it names the limit, max and actual', () => {
  const aliases = Array.from({ length: 11 }, (_, i) => `o${i}: order(id: "${i}") { id }`).join(' ');
  const document = validOperation(`{ ${aliases} }`);
  expect(RootFieldsRule(document, schema, {}, limits())).toEqual({
    limit: 'maxRootFields',
    max: 10,
    actual: 11,
    message: 'The query asks for 11 top-level fields, more than the limit of 10',
  });
  expect(RootFieldsRule(document, schema, {}, limits({ maxRootFields: 11 }))).toBeNull();
});

test('top-level fragments and inline fragments are expanded; __typename is free', () => {
  const source = `
    { __typename ...Lists ... on Query { product(id: "1") { id } } ...Lists }
    fragment Lists on Query { zones { id } carriers { id } ...More }
    fragment More on Query { campaigns { totalCount } }`;
  expect(rootFieldsOf(source)).toBe(4);
});

test('introspection root fields count; skipped ones do not', () => {
  expect(rootFieldsOf('{ __schema { queryType { name } } __type(name: "Order") { name } }')).toBe(2);
  expect(rootFieldsOf('query ($all: Boolean!) { zones { id } carriers @include(if: $all) { id } }', { all: false })).toBe(1);
});
