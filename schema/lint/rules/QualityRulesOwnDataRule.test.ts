import { QualityRulesOwnDataRule } from './QualityRulesOwnDataRule';
import { lintWith, validDescriptor } from '../testing';

const withRules = (rules: unknown[]) => validDescriptor({ quality: { schedule: 'PT1H', rules } });

test('rules over the tables and columns tables.sql creates pass', () => {
  expect(lintWith(QualityRulesOwnDataRule)).toEqual([]);
  const rules = [
    { name: 'price-positive', type: 'range', table: 'shop.item', column: 'price', min: 0 },
    { name: 'no-free-items', type: 'sql', query: 'SELECT count(*) FROM item WHERE price = 0', mustBe: 0 },
  ];
  expect(lintWith(QualityRulesOwnDataRule, { descriptor: withRules(rules) })).toEqual([]);
});

test('unknown tables and columns are errors that list what exists, with the rule line', () => {
  const rules = [
    { name: 'stock-present', type: 'notNull', table: 'stock', column: 'qty' },
    { name: 'sku-unique', type: 'unique', table: 'item', column: 'sku' },
  ];
  const issues = lintWith(QualityRulesOwnDataRule, { descriptor: withRules(rules) });
  expect(issues.map((issue) => issue.message)).toEqual([
    'quality rule stock-present: table stock is not created by tables.sql (it creates item)',
    'quality rule sku-unique: column sku is not a column of item (it has id, name, price, updated_at)',
  ]);
  expect(issues[0].line).toBeGreaterThan(1);
});

test('range needs a numeric column and freshness a timestamp', () => {
  const rules = [
    { name: 'name-range', type: 'range', table: 'item', column: 'name', min: 0 },
    { name: 'price-fresh', type: 'freshness', table: 'item', column: 'price' },
  ];
  expect(lintWith(QualityRulesOwnDataRule, { descriptor: withRules(rules) }).map((issue) => issue.message)).toEqual([
    'quality rule name-range: a range rule needs a numeric column; item.name is text',
    'quality rule price-fresh: a freshness rule needs a timestamp or date column; item.price is numeric(12,',
  ]);
});

test("custom SQL that reads another domain's schema is an error", () => {
  const rules = [{ name: 'sold-items', type: 'sql', query: 'SELECT count(*) FROM item i JOIN sales.order_lines l ON l.product_id = i.id', mustBe: 0 }];
  expect(lintWith(QualityRulesOwnDataRule, { descriptor: withRules(rules) }).map((issue) => issue.message)).toEqual([
    "quality rule sold-items: reads the sales domain's schema; a product's rules check only its own tables (ask sales for a rule in its product instead)",
  ]);
});

test('rules on tables without a tables.sql are errors', () => {
  expect(lintWith(QualityRulesOwnDataRule, { tables: null }).map((issue) => issue.message)).toContain(
    'quality rule item-name-present: names table item, but shop has no tables.sql to check it against',
  );
});
