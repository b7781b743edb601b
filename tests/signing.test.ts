/**
 * Subgraphs accept only requests the gateway signed (issue #3, issue 13):
 * through the real mesh, a direct request to a subgraph without, with a forged,
 * or with an expired signature gets 401, while the same query through the
 * gateway works and the subgraph receives the principal the gateway had.
 * (Per-subgraph audiences, replays and rotation: tests/security/subgraphRequestsAreSignedPerSubgraph.test.ts.)
 */
import { generateKeyPairSync } from 'node:crypto';
import { parseConfig } from '../gateway/src/config';
import { startGateway } from '../gateway/src';
import { createLogger } from '../gateway/src/logger';
import { encodePrincipal, PRINCIPAL_HEADER, requestSignerFor, SIGNATURE_HEADER, signRequest } from '../subgraphs/lib/signing';
import { TEST_ANONYMOUS } from '../subgraphs/lib/testing';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN } from './principals';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
});
afterAll(() => mesh?.stop());

// The public catalog: anonymous principals may read it.
const QUERY = '{ products(first: 2) { edges { node { name price } } } }';
const BODY = JSON.stringify({ query: QUERY });

const direct = async (headers: Record<string, string>, body = BODY, method = 'POST') => {
  const response = await fetch(mesh.subgraphs.products.url, { method, headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
};

test('the query works through the gateway, and the subgraph receives the anonymous principal it had', async () => {
  mesh.resetReceived();
  const { status, body } = await mesh.query(QUERY);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(body.data.products.edges).toHaveLength(2);
  expect(mesh.subgraphs.products.received).toEqual([{ query: expect.stringContaining('products'), variables: expect.anything(), principal: TEST_ANONYMOUS }]);
});

test('every subgraph of a query receives the signed principal of the token the gateway verified', async () => {
  mesh.resetReceived();
  const { body } = await mesh.query('{ orders(first: 2) { edges { node { id customer { segment } } } } }', undefined, await tokenFor(ADMIN));
  expect(body.errors).toBeUndefined();
  const expected = { id: ADMIN.sub, kind: 'user', email: ADMIN.email, roles: ADMIN.roles, scopes: ADMIN.scopes, domains: ADMIN.domains };
  for (const subgraph of ['sales', 'customers']) {
    expect(mesh.subgraphs[subgraph].received.length).toBeGreaterThan(0);
    for (const request of mesh.subgraphs[subgraph].received) expect(request.principal).toEqual(expected);
  }
});

test('a direct request without a signature gets 401 naming what is missing', async () => {
  const { status, body } = await direct({});
  expect(status).toBe(401);
  expect(body).toEqual({
    errors: [{ message: 'Subgraph "products" accepts only requests signed by the gateway: missing the x-meshgate-signature header', extensions: { code: 'UNAUTHENTICATED' } }],
  });
});

const anotherKey = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

test('a forged signature (another key) gets 401', async () => {
  const admin = { ...TEST_ANONYMOUS, id: 'admin', kind: 'service' as const, roles: ['admin'] };
  const { status, body } = await direct(signRequest({ audience: 'products', principal: admin, body: BODY, signingKey: anotherKey() }));
  expect(status).toBe(401);
  expect(body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  expect(body.errors![0].message).toMatch(/signed with a key this subgraph does not trust/);
  expect((await direct({ [PRINCIPAL_HEADER]: encodePrincipal(TEST_ANONYMOUS), [SIGNATURE_HEADER]: 'v1=deadbeef' })).body.errors![0].message).toMatch(/malformed x-meshgate-signature/);
});

test('an expired signature gets 401, and a captured signature does not cover another query or principal', async () => {
  // As if captured five minutes ago from the gateway, with the real key.
  const old = signRequest({ audience: 'products', principal: TEST_ANONYMOUS, body: BODY, signingKey: mesh.signingKey, now: Date.now() - 5 * 60_000 });
  const stale = await direct(old);
  expect(stale.status).toBe(401);
  expect(stale.body.errors![0].message).toMatch(/the signature expired 2\d\d s ago \(it is valid for 15 s, clocks may differ by 5 s\)/);

  const fresh = signRequest({ audience: 'products', principal: TEST_ANONYMOUS, body: BODY, signingKey: mesh.signingKey });
  const other = await direct(fresh, JSON.stringify({ query: '{ products(first: 100) { edges { node { name price } } } }' }));
  expect(other.status).toBe(401);
  expect(other.body.errors![0].message).toMatch(/the body is not the one the gateway signed/);
  const elevated = await direct({ ...fresh, [PRINCIPAL_HEADER]: encodePrincipal({ ...TEST_ANONYMOUS, id: 'u-1', kind: 'user', scopes: ['pii:read'] }) });
  expect(elevated.status).toBe(401);
  // The tampered copies spent nothing: the real request still goes through, once.
  expect((await direct(fresh)).status).toBe(200);
});

test('a validly signed GET is refused: the signature covers the body, not the URL', async () => {
  const response = await fetch(`${mesh.subgraphs.products.url}?query=${encodeURIComponent(QUERY)}`, {
    headers: {
      [PRINCIPAL_HEADER]: encodePrincipal(TEST_ANONYMOUS),
      [SIGNATURE_HEADER]: requestSignerFor(mesh.signingKey).signatureHeader({ audience: 'products', principalHeader: encodePrincipal(TEST_ANONYMOUS), body: '' }),
    },
  });
  expect(response.status).toBe(405);
});

test('health stays open, and the gateway reports signed subgraphs ready', async () => {
  expect((await fetch(new URL('/health', mesh.subgraphs.products.url))).status).toBe(200);
  const ready = await fetch(new URL('/ready', mesh.gateway.url));
  expect(ready.status).toBe(200);
  // Every domain, and the gateway's own catalog subgraph (signed too).
  expect(((await ready.json()) as any).subgraphs).toEqual(Object.fromEntries([...Object.keys(mesh.subgraphs), 'catalog'].map((name) => [name, 'ok'])));
});

test('a gateway with the wrong key gets a clear error naming the subgraph, not data', async () => {
  const config = parseConfig({
    server: { port: 0 },
    logging: { level: 'silent' },
    subgraphs: Object.values(mesh.subgraphs).map(({ name, url }) => ({ name, url })),
    subgraphRequests: { signingKey: anotherKey() },
  });
  const gateway = await startGateway(config, createLogger('silent'));
  try {
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
    const body = (await response.json()) as any;
    expect(body.data).toEqual({ products: null });
    expect(body.errors[0].message).toMatch(/^Subgraph "products" rejected the request \(HTTP 401\): .*signed with a key this subgraph does not trust/);
    expect(body.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_BAD_RESPONSE', subgraph: 'products', subgraphCode: 'UNAUTHENTICATED' });
  } finally {
    await gateway.stop();
  }
});
