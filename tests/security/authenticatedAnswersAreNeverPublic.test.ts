/**
 * Issue 17 §2: an answer for an authenticated principal, or one that carries
 * personal data, is never `Cache-Control: public`, whatever the subgraphs'
 * hints say (the customers domain hints Customer for 300 s, public), and it
 * varies on the credential headers, so no shared cache (a CDN, a corporate
 * proxy) keeps it and no browser cache replays it for other credentials.
 * Checked on the first answer and on repeated ones (the response shortcut at
 * the front door), for GET and POST, with the in-process cache, with Redis,
 * and without any cache. Anonymous answers without PII stay public; errors
 * and denials are `no-store`.
 */
import type { RunningGateway } from '../../gateway/src';
import { startExtraGateway } from '../harness';
import { ANALYST, FINANCE_TEAM, ORDER_SERVICE } from '../principals';
import { BACKENDS, credentialsOf, frontDoorCount, get, post, startCachedMesh, type CachedMesh, type PlainAnswer } from './cachedMesh';

const PII = '{ customer(id: "3") { id name email segment } }';
const CATALOG = '{ products(first: 2) { edges { node { name price } } } }';

let cached: CachedMesh;
/** Every field allowed (supergraph directives still apply): an anonymous principal can read PII here. */
let permissive: RunningGateway;
let uncached: RunningGateway;

beforeAll(async () => {
  cached = await startCachedMesh();
  permissive = await startExtraGateway(cached.mesh, { authorization: { policies: 'permissive' }, cache: { keyPrefix: 'security-permissive' } });
  uncached = await startExtraGateway(cached.mesh);
}, 120_000);
afterAll(async () => {
  await permissive?.stop();
  await uncached?.stop();
  await cached?.stop();
});

const varyNames = (answer: PlainAnswer) => (answer.headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase());

function expectPrivate(answer: PlainAnswer) {
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toBeUndefined();
  expect(answer.headers.get('cache-control')).toMatch(/^max-age=\d+, private$/);
  expect(varyNames(answer)).toEqual(expect.arrayContaining(['authorization', 'x-api-key']));
}

describe.each([...BACKENDS, 'no cache'] as const)('%s', (backend) => {
  const gateway = () => (backend === 'no cache' ? uncached : cached.gateways[backend]);

  test('a finance team member’s answers with personal data are private, by GET and by POST, first and repeated', async () => {
    const headers = await credentialsOf(FINANCE_TEAM);
    const hitsBefore = backend === 'no cache' ? 0 : await frontDoorCount(gateway(), 'hit');
    const answers: PlainAnswer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await get(gateway().url, `${PII} # get ${backend}`, undefined, headers));
    for (let i = 0; i < 3; i++) answers.push(await post(gateway().url, { query: `${PII} # post ${backend}` }, headers));
    for (const answer of answers) {
      expectPrivate(answer);
      expect(answer.body.data.customer.email).toContain('@');
    }
    // The repeated POSTs were answered at the front door, and still privately.
    if (backend !== 'no cache') expect(await frontDoorCount(gateway(), 'hit')).toBeGreaterThanOrEqual(hitsBefore + 2);
  });

  test('any authenticated principal’s answer is private, even of public catalog data', async () => {
    for (const principal of [ANALYST, ORDER_SERVICE]) {
      for (let i = 0; i < 2; i++) expectPrivate(await post(gateway().url, { query: `${CATALOG} # ${backend}` }, await credentialsOf(principal)));
    }
  });

  test('anonymous answers without personal data stay public, and vary on the credentials', async () => {
    for (let i = 0; i < 2; i++) {
      const answer = await post(gateway().url, { query: `${CATALOG} # ${backend}` });
      expect(answer.headers.get('cache-control')).toMatch(/^max-age=\d+, public$/);
      expect(varyNames(answer)).toEqual(expect.arrayContaining(['authorization', 'x-api-key']));
    }
  });

  test('denials, variable errors and bad requests are never stored', async () => {
    const analyst = await credentialsOf(ANALYST);
    for (let i = 0; i < 2; i++) {
      const denied = await post(gateway().url, { query: `${PII} # ${backend}` }, analyst);
      expect(denied.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(denied.headers.get('cache-control')).toBe('no-store');
      const badVariable = await post(gateway().url, { query: `query ($n: Int) { products(first: $n) { totalCount } } # ${backend}`, variables: { n: 'many' } });
      expect(badVariable.status).toBe(400);
      expect(badVariable.headers.get('cache-control')).toBe('no-store');
    }
  });
});

test('an anonymous answer that carries PII is private too (a policy that lets anonymous read it)', async () => {
  for (let i = 0; i < 3; i++) {
    const answer = await post(permissive.url, { query: PII });
    expectPrivate(answer);
    expect(answer.body.data.customer.email).toContain('@');
  }
  // The same policy, a field that is not PII: public.
  expect((await post(permissive.url, { query: '{ customer(id: "3") { id segment } }' })).headers.get('cache-control')).toMatch(/, public$/);
});
