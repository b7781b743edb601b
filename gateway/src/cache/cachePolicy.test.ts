import { CachePolicy, hintFromCacheControl } from './cachePolicy';

test.each([
  ['max-age=60, public', { maxAge: 60, scope: 'PUBLIC' }],
  ['max-age=30, private', { maxAge: 30, scope: 'PRIVATE' }],
  ['no-store', { maxAge: 0, scope: 'PUBLIC' }],
  ['max-age=60, no-cache', { maxAge: 0, scope: 'PUBLIC' }],
  ['max-age=abc', { maxAge: 0, scope: 'PUBLIC' }],
  [null, { maxAge: 15, scope: 'PUBLIC' }],
])('Cache-Control %p gives %p (default 15 s without a header)', (header, hint) => {
  expect(hintFromCacheControl(header, 15)).toEqual(hint);
});

test('the most restrictive hint wins: the smallest max-age, PRIVATE over PUBLIC', () => {
  const policy = new CachePolicy();
  expect(policy.ttl(20, 3600)).toBe(20);
  policy.restrict({ maxAge: 3600, scope: 'PUBLIC' });
  policy.restrict({ maxAge: 30, scope: 'PRIVATE' });
  policy.restrict({ maxAge: 300, scope: 'PUBLIC' });
  expect([policy.maxAge, policy.scope]).toEqual([30, 'PRIVATE']);
  expect(policy.ttl(20, 10)).toBe(10);
});
