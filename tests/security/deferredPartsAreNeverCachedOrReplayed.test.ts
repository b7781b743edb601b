/**
 * No cache keeps a partial answer (issue 15): every part of an operation served with @defer is run for its
 * own request, on both cache backends (in-process and Redis), with the response cache, deduplication and
 * the response shortcut on. Repeating a deferred query reaches the subgraphs again and comes in parts again
 * (never the first payload replayed as the whole answer), Cache-Control is no-store, and another principal
 * asking the same deferred query gets its own completion (FORBIDDEN), never the first principal's values.
 * The same query without @defer is answered from the cache, so these gateways do cache.
 */
import { postDeferred } from '../deferClient';
import { ADMIN, ANALYST } from '../principals';
import { BACKENDS, credentialsOf, post, startCachedMesh, type CachedMesh } from './cachedMesh';

let cached: CachedMesh;
let orderId: string;
beforeAll(async () => {
  cached = await startCachedMesh();
  const [row] = await cached.mesh.db.query<{ id: number }>(`SELECT id FROM sales.orders ORDER BY id LIMIT 1`);
  orderId = String(row.id);
}, 240_000);
afterAll(() => cached?.stop());

const DEFERRED = (id: string) => `query Who { order(id: "${id}") { id total ... @defer(label: "who") { customer { name } } } }`;
const WHOLE = (id: string) => `query Who { order(id: "${id}") { id total customer { name } } }`;
const salesRequests = () => cached.mesh.subgraphs.sales.received.length;

describe.each(BACKENDS)('%s', (backend) => {
  test('the same query without @defer is served from the cache (the gateway caches)', async () => {
    const url = cached.gateways[backend].url;
    const admin = await credentialsOf(ADMIN);
    expect((await post(url, { query: WHOLE(orderId) }, admin)).status).toBe(200);
    const before = salesRequests();
    const again = await post(url, { query: WHOLE(orderId) }, admin);
    expect(again.body.data.order.customer.name).toEqual(expect.any(String));
    expect(salesRequests()).toBe(before);
  });

  test('a deferred query is run and sent in parts every time, never cached', async () => {
    const url = cached.gateways[backend].url;
    const admin = await credentialsOf(ADMIN);
    for (let round = 0; round < 3; round++) {
      const before = salesRequests();
      const answer = await postDeferred(url, DEFERRED(orderId), admin);
      expect(answer.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.parts.map((part) => part.body)).toEqual([
        { data: { order: { id: orderId, total: expect.any(Number) } }, hasNext: true },
        { incremental: [{ data: { customer: { name: expect.any(String) } }, path: ['order'], label: 'who' }], hasNext: false },
      ]);
      // Both the first payload and the deferred part read the order again.
      expect(salesRequests()).toBe(before + 2);
    }
  });

  test("another principal asking the same deferred query gets its own completion, never the first one's values", async () => {
    const url = cached.gateways[backend].url;
    const admin = await postDeferred(url, DEFERRED(orderId), await credentialsOf(ADMIN));
    expect(admin.parts[1].body.incremental[0].data.customer.name).toEqual(expect.any(String));
    const analyst = await postDeferred(url, DEFERRED(orderId), await credentialsOf(ANALYST));
    expect(analyst.parts[1].body.incremental[0]).toEqual({
      data: { customer: { name: null } },
      path: ['order'],
      label: 'who',
      errors: [expect.objectContaining({ path: ['order', 'customer', 'name'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })],
    });
    expect(JSON.stringify(analyst.parts)).not.toContain(JSON.stringify(admin.parts[1].body.incremental[0].data.customer.name));
  });
});
