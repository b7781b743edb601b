import { CutListsSayWhenCutRule } from './CutListsSayWhenCutRule';
import { lintWith } from '../testing';

const schema = (field: string) => `
"An item."
type Item {
  "Name."
  name: String
}
"A page of items."
type ItemConnection {
  "Items on this page."
  edges: [Item!]!
  "Items across all pages."
  totalCount: Int!
}
"Entry points."
type Query {
  "Items."
  ${field}
}
`;

test('a connection and a list without a size argument pass', () => {
  expect(lintWith(CutListsSayWhenCutRule, { schema: schema('items(first: Int = 20, after: String): ItemConnection!') })).toEqual([]);
  expect(lintWith(CutListsSayWhenCutRule, { schema: schema('items: [Item!]!') })).toEqual([]);
});

test('a plain list with first, limit or top is an error naming the field and the argument (issue 18)', () => {
  for (const argument of ['first', 'limit', 'top']) {
    const issues = lintWith(CutListsSayWhenCutRule, { schema: schema(`items(${argument}: Int = 1000): [Item!]!`) });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: 'error', coordinate: 'Query.items' });
    expect(issues[0].message).toBe(
      `Query.items is a plain list that "${argument}" cuts off with nothing in the answer saying so: return a connection (edges, pageInfo { hasNextPage endCursor }, totalCount) so clients know when more follow`,
    );
  }
});

test('a deprecated cut-off list is a warning', () => {
  const issues = lintWith(CutListsSayWhenCutRule, { schema: schema('items(first: Int): [Item] @deprecated(reason: "Use itemPage.")') });
  expect(issues.map((issue) => issue.severity)).toEqual(['warning']);
});
