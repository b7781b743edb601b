/**
 * Issue 17 §2: a variable nested 100,000 levels deep (a body of about 1 MiB,
 * within a service's body limit) gets a clean 400 BAD_USER_INPUT, never a 500
 * from a recursive walker (a key builder, a serializer) running out of stack,
 * with the cache on (in-process and Redis, first and repeated requests, so
 * the response shortcut sees it too) and off, declared or not, and the
 * gateway keeps answering.
 */
import type { RunningGateway } from '../../gateway/src';
import { startExtraGateway } from '../harness';
import { ORDER_SERVICE } from '../principals';
import { BACKENDS, credentialsOf, post, startCachedMesh, type CachedMesh } from './cachedMesh';

const LEVELS = 100_000;

/** `{"a":{"a":…1…}}` (objects, 6 bytes a level) or `[[…]]` (arrays). */
const nested = (kind: 'object' | 'array') => (kind === 'object' ? `${'{"a":'.repeat(LEVELS)}1${'}'.repeat(LEVELS)}` : `${'['.repeat(LEVELS)}1${']'.repeat(LEVELS)}`);

const BODIES = {
  'an input object variable': (kind: 'object' | 'array') =>
    `{"query":"query Deep($filter: OrderFilter) { orders(first: 1, filter: $filter) { totalCount } }","variables":{"filter":${nested(kind)}}}`,
  'an undeclared variable': (kind: 'object' | 'array') => `{"query":"{ orders(first: 1) { totalCount } }","variables":{"extra":${nested(kind)}}}`,
};

let cached: CachedMesh;
let uncached: RunningGateway;
beforeAll(async () => {
  cached = await startCachedMesh();
  uncached = await startExtraGateway(cached.mesh);
}, 120_000);
afterAll(async () => {
  await uncached?.stop();
  await cached?.stop();
});

describe.each([...BACKENDS, 'no cache'] as const)('%s', (backend) => {
  const url = () => (backend === 'no cache' ? uncached.url : cached.gateways[backend].url);

  test.each(Object.keys(BODIES) as (keyof typeof BODIES)[])('%s 100,000 levels deep gets a 400, every time', async (shape) => {
    const headers = await credentialsOf(ORDER_SERVICE);
    for (const kind of ['object', 'array'] as const) {
      const body = BODIES[shape](kind);
      if (kind === 'object') expect(body.length).toBeGreaterThan(600_000);
      for (let attempt = 0; attempt < 2; attempt++) {
        const started = Date.now();
        const answer = await post(url(), body, headers);
        expect({ status: answer.status, code: answer.body?.errors?.[0]?.extensions?.code }).toEqual({ status: 400, code: 'BAD_USER_INPUT' });
        expect(answer.body.errors[0].message).toMatch(/nested deeper than \d+ levels/);
        expect(answer.body.data).toBeUndefined();
        expect(answer.headers.get('cache-control')).toBe('no-store');
        // Generous on a loaded 2-core machine; a stack overflow or a walk per level would be far slower or a 500.
        expect(Date.now() - started).toBeLessThan(5000);
      }
    }
    const healthy = await post(url(), { query: '{ orders(first: 1) { totalCount } }' }, headers);
    expect(healthy.status).toBe(200);
    expect(healthy.body.data.orders.totalCount).toBeGreaterThan(0);
  });
});
