/**
 * Issue 17 §2: response-cache keys name the value of the variables after
 * coercion (useVariableCoercion.ts), never their JSON spelling. `1e400` is
 * a variable error, even after `null` (which JSON.stringify(Infinity) used to
 * collide with) was cached; spellings of one value (`3`, `3.0`, `30e-1`, a
 * default) share one entry; different values never do. The response
 * shortcut keys by the exact body and only replays what that body earned in
 * full, so an invalid body never gets an answer from it. In-process and Redis.
 */
import { ANALYST } from '../principals';
import { BACKENDS, credentialsOf, post, startCachedMesh, type CachedMesh } from './cachedMesh';

let cached: CachedMesh;
beforeAll(async () => {
  cached = await startCachedMesh();
}, 120_000);
afterAll(() => cached?.stop());

describe.each(BACKENDS)('%s', (backend) => {
  const url = () => cached.gateways[backend].url;
  const send = async (body: string, status = false) => post(url(), body, { ...(await credentialsOf(ANALYST)), ...(status ? { 'meshgate-cache-status': '1' } : {}) });
  const cacheStatus = (answer: { body: any }) => answer.body?.extensions?.cache?.response;

  test('an out-of-range number is a variable error, never the cached answer of null', async () => {
    const query = `query Min($min: Float) { orders(first: 3, filter: { minTotal: $min }) { totalCount } } # ${backend}`;
    const asNull = `{"query":${JSON.stringify(query)},"variables":{"min":null}}`;
    // Warm both the response cache and the front door with null.
    for (let i = 0; i < 3; i++) expect((await send(asNull)).body.data.orders.totalCount).toBeGreaterThan(0);
    for (const spelling of ['1e400', '-1e400', '1E999']) {
      for (let i = 0; i < 2; i++) {
        for (const status of [false, true]) {
          const answer = await send(`{"query":${JSON.stringify(query)},"variables":{"min":${spelling}}}`, status);
          expect(answer.status).toBe(400);
          expect(answer.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
          expect(answer.body.data).toBeUndefined();
        }
      }
    }
  });

  test('spellings of one value, and a default, share one entry; other values do not', async () => {
    const query = `query First($first: Int = 3) { products(first: $first) { edges { node { name } } } } # ${backend}`;
    const body = (variables: string) => `{"query":${JSON.stringify(query)}${variables ? `,"variables":${variables}` : ''}}`;
    const first = await send(body('{"first":3}'), true);
    expect(cacheStatus(first)).toBe('MISS');
    for (const variables of ['{"first":3.0}', '{"first":30e-1}', '{ "first" : 3 }', '', '{}']) {
      const again = await send(body(variables), true);
      expect(cacheStatus(again)).toBe('HIT');
      expect(again.body.data).toEqual(first.body.data);
    }
    const four = await send(body('{"first":4}'), true);
    expect(cacheStatus(four)).toBe('MISS');
    expect(four.body.data.products.edges).toHaveLength(4);
    // Not an Int: an error, however many times it is sent, and whatever was cached before.
    for (let i = 0; i < 3; i++) expect((await send(body('{"first":3.5}'))).status).toBe(400);
  });

  test('an ID given as a number and as a string is one value', async () => {
    const query = `query One($id: ID!) { product(id: $id) { name } } # ${backend}`;
    const asString = await send(`{"query":${JSON.stringify(query)},"variables":{"id":"2"}}`, true);
    expect(cacheStatus(asString)).toBe('MISS');
    const asNumber = await send(`{"query":${JSON.stringify(query)},"variables":{"id":2}}`, true);
    expect(cacheStatus(asNumber)).toBe('HIT');
    expect(asNumber.body.data).toEqual(asString.body.data);
  });
});
