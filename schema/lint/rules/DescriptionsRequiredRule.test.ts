import { buildSchema } from 'graphql';
import { DescriptionsRequiredRule } from './DescriptionsRequiredRule';
import { lintWith } from '../testing';

test('a fully described subgraph passes; root types need descriptions on their fields only', () => {
  expect(lintWith(DescriptionsRequiredRule)).toEqual([]);
});

test('types, fields, input fields, enums and scalars without a description are errors with their line', () => {
  const schema = `
type Item {
  id: ID!
  "Display name."
  name: String!
}
"Filters."
input ItemFilter { name: String }
enum Color { RED }
scalar Money
type Query {
  items(filter: ItemFilter): [Item!]!
}
`;
  const issues = lintWith(DescriptionsRequiredRule, { schema });
  expect(issues.map((issue) => [issue.coordinate, issue.line])).toEqual([
    ['Item', 2],
    ['Item.id', 3],
    ['ItemFilter.name', 8],
    ['Color', 9],
    ['Money', 10],
    ['Query.items', 12],
  ]);
  expect(issues[0].message).toBe('type Item has no description: say what it represents, in a "..." string above it');
  expect(issues[1].message).toBe('field Item.id has no description: say what it holds (units, format, when it is null)');
});

test('an element another subgraph describes counts as described (an extended entity and its key)', () => {
  const schema = `
type Item @key(fields: "id") {
  id: ID!
  "How many are in stock."
  stock: Int!
}
`;
  const supergraph = buildSchema(`
"Something we sell." type Item { "Stable identifier." id: ID! "How many are in stock." stock: Int! }
type Query { "One item." item: Item }
`);
  expect(lintWith(DescriptionsRequiredRule, { schema: `directive @key(fields: String) on OBJECT\n${schema}`, supergraph })).toEqual([]);
  expect(lintWith(DescriptionsRequiredRule, { schema: `directive @key(fields: String) on OBJECT\n${schema}` }).map((i) => i.coordinate)).toEqual(['Item', 'Item.id']);
});
