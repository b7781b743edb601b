import { DeprecationReasonRule } from './DeprecationReasonRule';
import { lintWith } from '../testing';

const schema = (directive: string) => `
"An item."
type Item {
  "Old name."
  title: String ${directive}
  "Name."
  name: String
  "Price."
  price(currency: String ${directive}): Float
}
"Sizes."
enum Size { SMALL LARGE ${directive} }
"Filter."
input ItemFilter { "Old." title: String ${directive} }
`;

test('deprecations with a reason pass', () => {
  expect(lintWith(DeprecationReasonRule, { schema: schema('@deprecated(reason: "Use name.")') })).toEqual([]);
});

test('every deprecated field, argument, enum value and input field without a reason is an error', () => {
  const issues = lintWith(DeprecationReasonRule, { schema: schema('@deprecated') });
  expect(issues.map((issue) => issue.coordinate)).toEqual(['Item.title', 'Item.price(currency:)', 'Size.LARGE', 'ItemFilter.title']);
  expect(issues[0].message).toBe('Item.title is deprecated without a reason: say what to use instead, e.g. @deprecated(reason: "Use newField; removed after 2027-01-01")');
  expect(issues[0].line).toBe(5);
});

test("graphql-js' default reason and an empty one say nothing, so they are errors too", () => {
  expect(lintWith(DeprecationReasonRule, { schema: schema('@deprecated(reason: "No longer supported")') })).toHaveLength(4);
  expect(lintWith(DeprecationReasonRule, { schema: schema('@deprecated(reason: " ")') })).toHaveLength(4);
});
