import { NamingConventionsRule } from './NamingConventionsRule';
import { lintWith } from '../testing';

test('conventional names pass', () => {
  expect(lintWith(NamingConventionsRule)).toEqual([]);
  expect(lintWith(NamingConventionsRule, { schema: 'enum ShipmentStatus { IN_TRANSIT DELIVERED }\ninput OrderFilter { placedFrom: String }\ndirective @pii on FIELD_DEFINITION' })).toEqual([]);
});

test('each misnamed type, field, argument, enum value and directive is reported with the convention', () => {
  const schema = `
type order_line { unit_price: Float }
type Query { Orders(Page_size: Int): [order_line] }
enum status { inTransit }
input orderFilter { placed_from: String }
directive @PII on FIELD_DEFINITION
`;
  expect(lintWith(NamingConventionsRule, { schema }).map((issue) => issue.message)).toEqual([
    'type order_line should be PascalCase (e.g. OrderLine)',
    'field order_line.unit_price should be camelCase (e.g. placedAt)',
    'field Query.Orders should be camelCase (e.g. placedAt)',
    'argument Query.Orders(Page_size:) should be camelCase (e.g. orderBy)',
    'enum status should be PascalCase (e.g. OrderLine)',
    'enum value status.inTransit should be SCREAMING_SNAKE_CASE (e.g. IN_TRANSIT)',
    'input orderFilter should be PascalCase (e.g. OrderLine)',
    'input field orderFilter.placed_from should be camelCase (e.g. placedAt)',
    'directive @PII should be camelCase (e.g. @pii)',
  ]);
});
