import { DescriptorValidRule } from './DescriptorValidRule';
import { lintWith, validDescriptor } from '../testing';

test('a valid descriptor for this subgraph passes', () => {
  expect(lintWith(DescriptorValidRule)).toEqual([]);
});

test('a missing descriptor is an error naming the file', () => {
  const [issue] = lintWith(DescriptorValidRule, { descriptor: null });
  expect(issue).toMatchObject({ rule: 'DescriptorValid', severity: 'error', file: '/shop/dataproduct.yaml' });
  expect(issue.message).toMatch(/dataproduct.yaml not found/);
});

test('each invalid key is reported with its path, what was expected and what was given, and its line', () => {
  const issues = lintWith(DescriptorValidRule, {
    descriptor: validDescriptor({ sla: { availability: '99.9%', latencyP95Ms: 100, freshness: '1 day', retention: 'P1Y' }, status: 'live' }),
  });
  expect(issues.map((issue) => issue.message)).toEqual([
    'status: expected one of "draft" | "active" | "deprecated" | "retired", got "live"',
    'sla.freshness: expected an ISO-8601 duration such as PT24H, got "1 day"',
  ]);
  expect(issues.every((issue) => typeof issue.line === 'number')).toBe(true);
});

test('a descriptor of another domain is an error', () => {
  const [issue] = lintWith(DescriptorValidRule, { descriptor: validDescriptor({ domain: 'warehouse' }) });
  expect(issue.message).toBe('domain: expected "shop" (the subgraph\'s name and database schema), got "warehouse"');
});

test('owner problems are left to OwnerContactRule', () => {
  expect(lintWith(DescriptorValidRule, { descriptor: validDescriptor({ owner: { team: 'Shop Team' } }) })).toEqual([]);
});
