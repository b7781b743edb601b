import { parse } from 'graphql';
import { findSchemaChanges } from './breakingChanges';
import { composeOrThrow } from './compose';

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

const SHOP = `${FEDERATION}
"An item." type Item @key(fields: "id") {
  id: ID!
  name: String!
  price: Float
  color: Color
  "Legacy." sku: String
}
enum Color { RED BLUE GREEN }
input ItemFilter { color: Color search: String }
type Query {
  item(id: ID!): Item
  items(filter: ItemFilter, first: Int = 20, after: String): [Item!]!
}`;

const STOCK = `${FEDERATION}
type Item @key(fields: "id") { id: ID! "Units in stock." stock: Int! }
type Query { lowStock(limit: Int): [Item!]! }`;

const supergraph = (shop: string, stock = STOCK) =>
  composeOrThrow([
    { name: 'shop', url: 'http://shop', typeDefs: parse(shop) },
    { name: 'stock', url: 'http://stock', typeDefs: parse(stock) },
  ]);

const BEFORE = supergraph(SHOP);
const changesTo = (shop: string, stock?: string) => findSchemaChanges(BEFORE, supergraph(shop, stock));

test('the same supergraph, or one with only new descriptions and fields, has no breaking changes', () => {
  expect(findSchemaChanges(BEFORE, BEFORE)).toEqual([]);
  expect(changesTo(SHOP.replace('name: String!', '"Display name." name: String!\n  "New." weight: Float'))).toEqual([]);
});

test('a removed field is an error naming the field and the subgraph that defined it', () => {
  expect(changesTo(SHOP.replace('"Legacy." sku: String', ''))).toEqual([
    {
      severity: 'error',
      kind: 'field-removed',
      graphqlChange: 'FIELD_REMOVED',
      coordinate: 'Item.sku',
      message: 'Field Item.sku was removed; operations that select it fail validation.',
      subgraphs: ['shop'],
    },
  ]);
});

test('a retyped field is an error with both types', () => {
  const [change] = changesTo(SHOP.replace('price: Float', 'price: String'));
  expect(change).toMatchObject({ kind: 'field-retyped', coordinate: 'Item.price', message: 'Field Item.price changed type from Float to String; clients reading it may break.' });
});

test('arguments and input fields made required are errors', () => {
  const changes = changesTo(
    SHOP.replace('item(id: ID!)', 'item(id: ID!, region: String!)').replace('first: Int = 20', 'first: Int! = 20').replace('search: String }', 'search: String! }'),
  );
  expect(changes.map((c) => [c.kind, c.coordinate, c.message])).toEqual(
    expect.arrayContaining([
      ['argument-required', 'ItemFilter.search', 'Input field ItemFilter.search is now required (String → String!); clients that leave it out fail.'],
      ['argument-required', 'Query.item(region:)', 'Argument Query.item(region:) was added as required; existing operations do not pass it.'],
      ['argument-required', 'Query.items(first:)', 'Argument Query.items(first:) is now required (Int → Int!); operations that leave it out fail.'],
    ]),
  );
  expect(changes).toHaveLength(3);
});

test('a removed enum value is an error; an added one is only a warning', () => {
  expect(changesTo(SHOP.replace('RED BLUE GREEN', 'RED BLUE')).map((c) => [c.severity, c.kind, c.coordinate])).toEqual([['error', 'enum-value-removed', 'Color.GREEN']]);
  expect(changesTo(SHOP.replace('RED BLUE GREEN', 'RED BLUE GREEN PINK')).map((c) => [c.severity, c.kind, c.message])).toEqual([
    ['warning', 'enum-value-added', 'Enum value Color.PINK was added; clients with an exhaustive switch over Color should handle it.'],
  ]);
});

test('removed types and arguments are errors too, and changed defaults are warnings', () => {
  const kinds = changesTo(SHOP.replace('(filter: ItemFilter, first: Int = 20, after: String)', '(first: Int = 50, after: String)').replace(/input ItemFilter[^}]*}/, '')).map((c) => [c.severity, c.kind, c.coordinate]);
  expect(kinds).toEqual(
    expect.arrayContaining([
      ['error', 'type-removed', 'ItemFilter'],
      ['error', 'argument-removed', 'Query.items(filter:)'],
      ['warning', 'default-changed', 'Query.items(first:)'],
    ]),
  );
});

test("each change names the subgraphs that define the element, so a check can tell its own changes from another domain's", () => {
  const [change] = changesTo(SHOP, STOCK.replace('"Units in stock." stock: Int!', ''));
  expect(change).toMatchObject({ kind: 'field-removed', coordinate: 'Item.stock', subgraphs: ['stock'] });
});
