/**
 * Issue 13, "subgraph trust is per subgraph": with one shared HMAC secret any
 * subgraph could forge requests to any other, and a captured request replayed
 * to another subgraph (or the same one) within 60 s. Now the gateway signs each
 * request with its private key, for one subgraph, once.
 *
 * Tried as an attacker on the path would: a recording proxy sits between a real
 * gateway and the real `products` subgraph, lets the first request drop (the
 * gateway retries with a fresh signature) and keeps it. That captured, still
 * unspent request is then replayed to the other subgraphs, tampered with, and
 * replayed to its own subgraph. Rotation: real subgraph servers trusting old and
 * new keys, or only the new one. Everything over HTTP, nothing mocked.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway, type RunningGateway } from '../../gateway/src';
import { createLogger } from '../../gateway/src/logger';
import { domainNamed } from '../../subgraphs';
import { startSubgraphServer, type RunningSubgraph } from '../../subgraphs/lib/server';
import { encodePrincipal, PRINCIPAL_HEADER, REQUEST_TOKEN_TYPE, SIGNATURE_HEADER, signRequest } from '../../subgraphs/lib/signing';
import { importSigningKey } from '../../subgraphs/lib/signingKeys';
import { queryGateway, startMesh, testGatewayConfig, type TestMesh } from '../harness';

const QUERY = '{ products(first: 2) { edges { node { name price } } } }';
const BODY = JSON.stringify({ query: QUERY });

type Captured = { path: string; headers: IncomingHttpHeaders; body: string; forwarded: boolean };

/** A man in the middle: forwards to `target`, records every request, and answers the first GraphQL request 503 without forwarding it. */
async function startInterceptingProxy(target: string) {
  const captured: Captured[] = [];
  let dropped = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://proxy').pathname;
      const drop = path === '/graphql' && !dropped;
      dropped ||= drop;
      captured.push({ path, headers: req.headers, body, forwarded: !drop });
      if (drop) return void res.writeHead(503).end();
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name === 'content-type' || name.startsWith('x-meshgate-'))) as Record<string, string>;
      const answer = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(await answer.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    captured,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Answer = { status: number; text: string; body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
async function post(url: string, headers: IncomingHttpHeaders | Record<string, string>, body = BODY): Promise<Answer> {
  const sent = Object.fromEntries(Object.entries(headers).filter(([name]) => name === 'content-type' || name.startsWith('x-meshgate-'))) as Record<string, string>;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...sent }, body });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) };
}
const messageOf = (answer: Answer) => answer.body.errors?.[0]?.message ?? '';

let mesh: TestMesh;
let proxy: Awaited<ReturnType<typeof startInterceptingProxy>>;
let gateway: RunningGateway;
/** The request the gateway signed for `products` that never arrived there. */
let intercepted: Captured;

beforeAll(async () => {
  mesh = await startMesh();
  proxy = await startInterceptingProxy(mesh.subgraphs.products.url);
  const subgraphs = Object.values(mesh.subgraphs).map(({ name, url }) => ({ name, url: name === 'products' ? proxy.url : url }));
  const { config } = testGatewayConfig(subgraphs, mesh.signingKey, { subgraphRequests: { retries: 2, retryDelayMs: 5 } });
  gateway = await startGateway(config, createLogger('silent'));
  const { status, body } = await queryGateway(gateway.url, QUERY);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const graphql = proxy.captured.filter((request) => request.path === '/graphql');
  // The first attempt was dropped on the way; the retry, signed afresh, got through.
  expect(graphql.map((request) => request.forwarded)).toEqual([false, true]);
  expect(graphql[0].headers[SIGNATURE_HEADER]).not.toBe(graphql[1].headers[SIGNATURE_HEADER]);
  intercepted = graphql[0];
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await proxy?.stop();
  await mesh?.stop();
});

test('a request signed for products is refused by every other subgraph, naming both', async () => {
  for (const name of ['sales', 'customers', 'finance', 'marketing', 'logistics']) {
    const answer = await post(mesh.subgraphs[name].url, intercepted.headers, intercepted.body);
    expect(answer.status).toBe(401);
    expect(answer.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect(messageOf(answer)).toBe(
      `Subgraph "${name}" accepts only requests signed by the gateway: signed for subgraph "products", not for "${name}": a request signed for one subgraph is never accepted by another`,
    );
  }
});

test('a tampered body or principal is refused; the untampered request is accepted once, and its replay is refused', async () => {
  const products = mesh.subgraphs.products.url;
  const moreRows = await post(products, intercepted.headers, JSON.stringify({ query: QUERY.replace('first: 2', 'first: 100') }));
  expect(moreRows.status).toBe(401);
  expect(messageOf(moreRows)).toMatch(/the body is not the one the gateway signed$/);
  const admin = encodePrincipal({ id: 'admin', kind: 'user', roles: ['admin'], scopes: ['pii:read', 'risk:read'], domains: ['products'] });
  const elevated = await post(products, { ...intercepted.headers, [PRINCIPAL_HEADER]: admin }, intercepted.body);
  expect(elevated.status).toBe(401);
  expect(messageOf(elevated)).toMatch(/the x-meshgate-principal header is not the one the gateway signed$/);

  // Nothing above spent the nonce: within its 15 s, the captured request itself is still good exactly once.
  mesh.resetReceived();
  expect((await post(products, intercepted.headers, intercepted.body)).status).toBe(200);
  const replay = await post(products, intercepted.headers, intercepted.body);
  expect(replay.status).toBe(401);
  expect(messageOf(replay)).toMatch(/already accepted once \(its jti nonce is spent\)/);
  expect(mesh.subgraphs.products.received).toHaveLength(1);
});

test('the request the gateway delivered cannot be replayed to its subgraph either', async () => {
  const delivered = proxy.captured.find((request) => request.path === '/graphql' && request.forwarded)!;
  const replay = await post(mesh.subgraphs.products.url, delivered.headers, delivered.body);
  expect(replay.status).toBe(401);
  expect(messageOf(replay)).toMatch(/already accepted once/);
});

test('alg none, and HS256/HS512 with the public key as the secret, are refused over HTTP; no answer echoes the signature', async () => {
  const products = mesh.subgraphs.products.url;
  const publicPem = mesh.gatewayPublicKeys[0];
  const kid = importSigningKey(mesh.signingKey).kid;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const principalHeader = encodePrincipal({ id: 'admin', kind: 'service', roles: ['admin'], scopes: [], domains: [] });
  const claims = b64({ aud: 'products', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 10, jti: 'forged-nonce-0123456789', body_sha256: 'x'.repeat(43), principal_sha256: 'x'.repeat(43) });
  const none = `${b64({ alg: 'none', kid, typ: REQUEST_TOKEN_TYPE })}.${claims}.${'A'.repeat(86)}`;
  const hmacSigned = (alg: string, hash: string) => {
    const input = `${b64({ alg, kid, typ: REQUEST_TOKEN_TYPE })}.${claims}`;
    return `${input}.${createHmac(hash, publicPem).update(input).digest('base64url')}`;
  };
  for (const [signature, expected] of [
    [none, /uses alg "none"/],
    // A 32-byte MAC is not an Ed25519 signature; a 64-byte one is, and its alg is refused.
    [hmacSigned('HS256', 'sha256'), /malformed x-meshgate-signature header/],
    [hmacSigned('HS512', 'sha512'), /uses alg "HS512"/],
  ] as const) {
    const answer = await post(products, { [PRINCIPAL_HEADER]: principalHeader, [SIGNATURE_HEADER]: signature });
    expect(answer.status).toBe(401);
    expect(messageOf(answer)).toMatch(expected);
    for (const part of signature.split('.')) expect(answer.text).not.toContain(part);
    expect(answer.text).not.toContain(principalHeader);
  }
  const stranger = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const unknown = await post(products, signRequest({ audience: 'products', principal: { id: 'admin', kind: 'service', roles: ['admin'], scopes: [], domains: [] }, body: BODY, signingKey: stranger }));
  expect(unknown.status).toBe(401);
  expect(messageOf(unknown)).toMatch(/signed with a key this subgraph does not trust/);
});

describe('rotation: two keys, each named by its kid', () => {
  const pemOf = (key: { export(options: object): string | Buffer }, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString();
  const fresh = generateKeyPairSync('ed25519');
  const newKey = pemOf(fresh.privateKey, 'pkcs8');
  const newPublic = pemOf(fresh.publicKey, 'spki');
  let both: RunningSubgraph;
  let newOnly: RunningSubgraph;
  beforeAll(async () => {
    const products = domainNamed('products');
    both = await startSubgraphServer(products, mesh.db, { gatewayPublicKeys: [mesh.gatewayPublicKeys[0], newPublic], dataProduct: false });
    newOnly = await startSubgraphServer(products, mesh.db, { gatewayPublicKeys: [newPublic], dataProduct: false });
  });
  afterAll(async () => {
    await both?.stop();
    await newOnly?.stop();
  });
  const signedWith = (signingKey: string) => signRequest({ audience: 'products', principal: { id: 'anonymous', kind: 'anonymous', roles: [], scopes: [], domains: [] }, body: BODY, signingKey });

  test('a subgraph trusting the old and the new public key accepts both kids', async () => {
    expect((await post(both.url, signedWith(mesh.signingKey))).status).toBe(200);
    expect((await post(both.url, signedWith(newKey))).status).toBe(200);
  });

  test('a subgraph trusting only the new key refuses the old one, naming the kids', async () => {
    expect((await post(newOnly.url, signedWith(newKey))).status).toBe(200);
    const old = await post(newOnly.url, signedWith(mesh.signingKey));
    expect(old.status).toBe(401);
    expect(messageOf(old)).toContain(`signed with a key this subgraph does not trust (kid "${importSigningKey(mesh.signingKey).kid}"; it trusts "${importSigningKey(newKey).kid}")`);
  });

  test('a gateway switched to the new key is answered by the subgraph that trusts both', async () => {
    // The whole mesh, with products served by the subgraph that trusts both keys (the query only reaches products).
    const subgraphs = Object.values(mesh.subgraphs).map(({ name, url }) => ({ name, url: name === 'products' ? both.url : url }));
    const { config } = testGatewayConfig(subgraphs, newKey);
    const rotated = await startGateway(config, createLogger('silent'));
    try {
      const { status, body } = await queryGateway(rotated.url, QUERY);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data.products.edges).toHaveLength(2);
    } finally {
      await rotated.stop();
    }
  });
});
