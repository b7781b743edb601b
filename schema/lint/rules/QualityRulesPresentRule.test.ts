import { QualityRulesPresentRule } from './QualityRulesPresentRule';
import { lintWith, validDescriptor } from '../testing';

test('a product with error rules and a freshness rule passes', () => {
  expect(lintWith(QualityRulesPresentRule)).toEqual([]);
});

test('no rules at all is a warning, not an error', () => {
  const issues = lintWith(QualityRulesPresentRule, { descriptor: validDescriptor({ quality: { rules: [] } }) });
  expect(issues).toEqual([expect.objectContaining({ severity: 'warning', message: 'quality: no rules; without them the catalog shows no quality score for this product' })]);
});

test('only warnings, or no freshness rule, are warnings', () => {
  const rules = [{ name: 'item-name-present', type: 'notNull', table: 'item', column: 'name', severity: 'warning' }];
  expect(lintWith(QualityRulesPresentRule, { descriptor: validDescriptor({ quality: { rules } }) }).map((issue) => issue.message)).toEqual([
    'quality: every rule is a warning; make the rules the contract depends on errors',
    'quality: no freshness rule, so sla.freshness (PT24H) is never measured',
  ]);
});
