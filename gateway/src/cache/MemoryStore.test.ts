import { MemoryStore } from './MemoryStore';
import type { CacheWrite } from './store';

const write = (key: string, value: unknown, tags: string[] = [], ttlMs = 60_000): CacheWrite => ({ key, json: JSON.stringify(value), expiresAt: Date.now() + ttlMs, scope: 'PUBLIC', tags });

test('memory stays within its byte bound: old entries are evicted and leave the tag index', async () => {
  const store = new MemoryStore({ maxBytes: 20_000, maxEntries: 1000 });
  for (let i = 0; i < 100; i++) await store.set([write(`k${i}`, 'x'.repeat(1000), ['t:Big'])]);
  expect(store.size).toBeLessThanOrEqual(20_000);
  const kept = (await store.get(Array.from({ length: 100 }, (_, i) => `k${i}`))).filter(Boolean).length;
  expect(kept).toBeGreaterThan(5);
  expect(kept).toBeLessThan(20);
  // Only live entries are in the index.
  expect(await store.invalidateTags(['t:Big'])).toHaveLength(kept);
});

test('an entry larger than the whole cache is refused, and the entry count is bounded too', async () => {
  const store = new MemoryStore({ maxBytes: 2000, maxEntries: 3 });
  await store.set([write('huge', 'x'.repeat(5000), ['t:T'])]);
  expect((await store.get(['huge']))[0]).toBeUndefined();
  expect(await store.invalidateTags(['t:T'])).toEqual([]);
  await store.set(['a', 'b', 'c', 'd'].map((key) => write(key, 1)));
  expect((await store.get(['a', 'b', 'c', 'd'])).map((record) => record?.value)).toEqual([undefined, 1, 1, 1]);
});

test('an expired entry is gone; a rewritten entry keeps only its new tags', async () => {
  const store = new MemoryStore({ maxBytes: 1 << 20, maxEntries: 100 });
  await store.set([write('short', 1, [], 30), write('k', 1, ['old'])]);
  await store.set([write('k', 2, ['new'])]);
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect((await store.get(['short']))[0]).toBeUndefined();
  expect(await store.invalidateTags(['old'])).toEqual([]);
  expect(await store.invalidateTags(['new'])).toEqual(['k']);
});
