/**
 * Signed subgraph requests (issue 13, "subgraph trust is per subgraph"), tried
 * as an attacker would: a request signed for one subgraph sent to another, the
 * same request replayed, a changed body or principal, `alg: none` and HS256
 * with the public key as the secret, an unknown key, skewed clocks, and a
 * rotation with two keys. The tokens are standard JWS: jose verifies ours and
 * ours verify jose's.
 */
import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, CompactSign, jwtVerify } from 'jose';
import {
  decodePrincipal,
  encodePrincipal,
  PRINCIPAL_HEADER,
  REQUEST_TOKEN_TYPE,
  requestSignerFor,
  SIGNATURE_HEADER,
  SIGNATURE_LIFETIME_SEC,
  SignedRequestVerifier,
  signRequest,
  type RequestClaims,
  type SignedPrincipal,
  type VerifyResult,
} from './signing';
import {
  DEVELOPMENT_GATEWAY_PUBLIC_KEY,
  DEVELOPMENT_SIGNING_KEY,
  gatewayPublicKeysFrom,
  gatewayVerificationKeys,
  importSigningKey,
  importVerificationKey,
  signingKeyProblem,
  splitKeyList,
  thumbprintOf,
} from './signingKeys';

const pem = (key: KeyObject) => key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString();
const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, privatePem: pem(privateKey), publicPem: pem(publicKey) };
};
const gateway = keyPair();
const next = keyPair();

const principal: SignedPrincipal = { id: 'u-42', kind: 'user', email: 'ada@example.com', roles: ['analyst'], scopes: ['pii:read'], domains: ['sales'] };
const body = '{"query":"{ orders(first: 2) { id } }"}';
const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const nowSec = now / 1000;

const signed = (options: { audience?: string; principal?: SignedPrincipal; body?: string; signingKey?: string; now?: number } = {}) =>
  signRequest({ audience: options.audience ?? 'sales', principal: options.principal ?? principal, body: options.body ?? body, signingKey: options.signingKey ?? gateway.privatePem, now: options.now ?? now });

const verifierFor = (audience = 'sales', publicKeys = [gateway.publicPem], seenNonces?: number) => new SignedRequestVerifier({ audience, publicKeys, seenNonces });
const verify = (verifier: SignedRequestVerifier, headers: Record<string, string | string[] | undefined>, options: { body?: string | Buffer; now?: number } = {}) =>
  verifier.verify({ headers, body: options.body ?? body, now: options.now ?? now });

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
/** A JWS made by hand, as an attacker (or a buggy gateway) would: any header, any claims, any Ed25519 key. */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>, privateKey: KeyObject = gateway.privateKey): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}
const kid = importSigningKey(gateway.privatePem).kid;
const header = { alg: 'EdDSA', kid, typ: REQUEST_TOKEN_TYPE };
const principalHeader = encodePrincipal(principal);
const claims = (overrides: Partial<RequestClaims> = {}): RequestClaims => ({
  aud: 'sales',
  iat: nowSec,
  exp: nowSec + SIGNATURE_LIFETIME_SEC,
  jti: `nonce-${Math.random().toString(36).slice(2)}-0000`,
  body_sha256: sha256(body),
  principal_sha256: sha256(principalHeader),
  ...overrides,
});
const withSignature = (signature: string) => ({ [PRINCIPAL_HEADER]: principalHeader, [SIGNATURE_HEADER]: signature });
const refusal = (result: VerifyResult) => (result.ok ? 'accepted' : result.reason);

test('a signed request verifies once and yields the principal it was signed for', () => {
  const headers = signed();
  const [encodedHeader, encodedClaims, signature] = headers[SIGNATURE_HEADER].split('.');
  expect(JSON.parse(Buffer.from(encodedHeader, 'base64url').toString())).toEqual({ alg: 'EdDSA', kid, typ: 'meshgate-subgraph-request+jwt' });
  expect(JSON.parse(Buffer.from(encodedClaims, 'base64url').toString())).toEqual({
    aud: 'sales',
    iat: nowSec,
    exp: nowSec + 15,
    jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    body_sha256: sha256(body),
    principal_sha256: sha256(headers[PRINCIPAL_HEADER]),
  });
  expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
  // The raw body bytes, as a server reads them, verify the same as the string the gateway sent.
  expect(verify(verifierFor(), headers, { body: Buffer.from(body) })).toEqual({ ok: true, principal });
});

test('only id, kind, email, roles, scopes and domains travel in the principal header', () => {
  const gatewayPrincipal = { ...principal, authenticatedBy: 'jwt', token: 'secret-token' } as SignedPrincipal;
  const decoded = JSON.parse(Buffer.from(encodePrincipal(gatewayPrincipal), 'base64url').toString('utf8'));
  expect(decoded).toEqual(principal);
  expect(decodePrincipal(encodePrincipal({ id: 'anonymous', kind: 'anonymous', roles: [], scopes: [], domains: [] }))).toEqual({
    id: 'anonymous',
    kind: 'anonymous',
    roles: [],
    scopes: [],
    domains: [],
  });
});

test('a principal header is reused only for a principal frozen all the way down; a changed principal gets its own', () => {
  const decode = (header: string) => JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  const frozen = Object.freeze({ ...principal, roles: Object.freeze([...principal.roles]), scopes: Object.freeze([...principal.scopes]), domains: Object.freeze([...principal.domains]) }) as SignedPrincipal;
  expect(encodePrincipal(frozen)).toBe(encodePrincipal(principal));
  expect(encodePrincipal(frozen)).toBe(encodePrincipal(frozen));
  // Frozen on top only (as an API key's principal): its lists could change, so nothing is kept for it.
  const shallow = Object.freeze({ ...principal, roles: [...principal.roles] });
  encodePrincipal(shallow);
  shallow.roles.push('ESCALATED');
  expect(decode(encodePrincipal(shallow)).roles).toEqual([...principal.roles, 'ESCALATED']);
  const open = { ...principal, scopes: [...principal.scopes] };
  encodePrincipal(open);
  open.scopes.push('risk:read');
  expect(decode(encodePrincipal(open)).scopes).toEqual([...principal.scopes, 'risk:read']);
});

test('a request signed for sales is refused by finance, naming both', () => {
  const headers = signed({ audience: 'sales' });
  expect(verify(verifierFor('finance'), headers)).toEqual({
    ok: false,
    reason: 'wrong-audience',
    message: 'signed for subgraph "sales", not for "finance": a request signed for one subgraph is never accepted by another',
  });
  // Refused, so not spent: the subgraph it was meant for still accepts it.
  expect(verify(verifierFor('sales'), headers)).toMatchObject({ ok: true });
});

test('the same request replayed to the same subgraph is refused, however soon', () => {
  const sales = verifierFor();
  const headers = signed();
  expect(verify(sales, headers)).toMatchObject({ ok: true });
  expect(verify(sales, headers)).toEqual({
    ok: false,
    reason: 'replayed',
    message: 'this signed request was already accepted once (its jti nonce is spent): a captured request cannot be replayed',
  });
  expect(verify(sales, headers, { now: now + 1000 })).toMatchObject({ reason: 'replayed' });
  // Each signature the gateway makes has its own nonce.
  expect(verify(sales, signed())).toMatchObject({ ok: true });
});

test('a tampered copy is refused and does not spend the real request', () => {
  const sales = verifierFor();
  const headers = signed();
  expect(verify(sales, headers, { body: body.replace('2', '2000') })).toEqual({ ok: false, reason: 'body-mismatch', message: 'the body is not the one the gateway signed' });
  const admin = encodePrincipal({ ...principal, roles: ['admin'] });
  expect(verify(sales, { ...headers, [PRINCIPAL_HEADER]: admin })).toMatchObject({ ok: false, reason: 'principal-mismatch' });
  // Claims re-encoded for another audience (or anything else) no longer match the signature.
  const [encodedHeader, , signature] = headers[SIGNATURE_HEADER].split('.');
  const otherClaims = b64({ ...JSON.parse(Buffer.from(headers[SIGNATURE_HEADER].split('.')[1], 'base64url').toString()), aud: 'finance' });
  expect(verify(verifierFor('finance'), { ...headers, [SIGNATURE_HEADER]: `${encodedHeader}.${otherClaims}.${signature}` })).toMatchObject({ reason: 'bad-signature' });
  expect(verify(sales, headers)).toMatchObject({ ok: true });
});

test('alg none, HS256/HS512 with the public key as the secret, and other algorithms are refused', () => {
  const sales = verifierFor();
  const none = `${b64({ alg: 'none', typ: REQUEST_TOKEN_TYPE, kid })}.${b64(claims())}.`;
  expect(refusal(verify(sales, withSignature(none)))).toBe('malformed-signature');
  const noneWithFiller = `${b64({ alg: 'none', typ: REQUEST_TOKEN_TYPE, kid })}.${b64(claims())}.${'A'.repeat(86)}`;
  expect(verify(sales, withSignature(noneWithFiller))).toEqual({
    ok: false,
    reason: 'unsupported-algorithm',
    message: 'the signature uses alg "none"; subgraphs accept only EdDSA (Ed25519) signatures by the gateway',
  });
  for (const [alg, hash] of [
    ['HS256', 'sha256'],
    ['HS512', 'sha512'],
  ]) {
    for (const secret of [gateway.publicPem, gateway.publicKey.export({ type: 'spki', format: 'der' })]) {
      const input = `${b64({ alg, typ: REQUEST_TOKEN_TYPE, kid })}.${b64(claims())}`;
      const token = `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
      // HS256's 32-byte MAC is not an Ed25519 signature; HS512's 64 bytes are, and its alg is refused.
      expect(refusal(verify(sales, withSignature(token)))).toBe(alg === 'HS256' ? 'malformed-signature' : 'unsupported-algorithm');
      // Nor does an HMAC pass under an EdDSA label.
      const relabelled = `${b64(header)}.${b64(claims())}`;
      expect(refusal(verify(sales, withSignature(`${relabelled}.${createHmac('sha512', secret).update(relabelled).digest('base64url')}`)))).toBe('bad-signature');
    }
  }
  for (const alg of ['ES256', 'RS256', 'Ed25519', 'eddsa']) {
    expect(refusal(verify(sales, withSignature(forge({ ...header, alg }, claims()))))).toBe('unsupported-algorithm');
  }
});

test('an unknown kid is refused; a known kid on another key is a bad signature', () => {
  const sales = verifierFor();
  const stranger = keyPair();
  expect(verify(sales, signed({ signingKey: stranger.privatePem }))).toEqual({
    ok: false,
    reason: 'unknown-key',
    message: `signed with a key this subgraph does not trust (kid "${importSigningKey(stranger.privatePem).kid}"; it trusts "${kid}"): another gateway, or a key retired or not yet rolled out here`,
  });
  expect(refusal(verify(sales, withSignature(forge({ ...header, kid: undefined }, claims()))))).toBe('unknown-key');
  expect(refusal(verify(sales, withSignature(forge(header, claims(), stranger.privateKey))))).toBe('bad-signature');
  // Keys named in the header itself are never used.
  const embedded = forge({ ...header, kid: 'x', jwk: stranger.publicKey.export({ format: 'jwk' }) }, claims(), stranger.privateKey);
  expect(refusal(verify(sales, withSignature(embedded)))).toBe('unknown-key');
});

test('rotation: a subgraph with the old and new public keys accepts both kids; one with only the new refuses the old', () => {
  const both = verifierFor('sales', [gateway.publicPem, next.publicPem]);
  const newOnly = verifierFor('sales', [next.publicPem]);
  expect(both.kids).toEqual([kid, importSigningKey(next.privatePem).kid]);
  expect(verify(both, signed({ signingKey: gateway.privatePem }))).toMatchObject({ ok: true });
  expect(verify(both, signed({ signingKey: next.privatePem }))).toMatchObject({ ok: true });
  expect(verify(newOnly, signed({ signingKey: next.privatePem }))).toMatchObject({ ok: true });
  expect(verify(newOnly, signed({ signingKey: gateway.privatePem }))).toMatchObject({ ok: false, reason: 'unknown-key' });
});

test('clock skew is bounded: 5 s either way, a lifetime of 15 s, nothing longer', () => {
  const sales = verifierFor();
  expect(verify(sales, signed({ now: now + 5000 }))).toMatchObject({ ok: true });
  expect(verify(sales, signed({ now: now + 6000 }))).toEqual({
    ok: false,
    reason: 'issued-in-the-future',
    message: 'the signature is dated 6 s in the future (clocks may differ by at most 5 s)',
  });
  expect(verify(sales, signed({ now: now - 20_000 }))).toMatchObject({ ok: true });
  expect(verify(sales, signed({ now: now - 21_000 }))).toEqual({
    ok: false,
    reason: 'expired',
    message: 'the signature expired 6 s ago (it is valid for 15 s, clocks may differ by 5 s)',
  });
  // A token the gateway never makes: valid for an hour, or expiring before it was issued.
  expect(refusal(verify(sales, withSignature(forge(header, claims({ exp: nowSec + 3600 })))))).toBe('lifetime-too-long');
  expect(refusal(verify(sales, withSignature(forge(header, claims({ exp: nowSec - 1 })))))).toBe('lifetime-too-long');
});

test('other header shapes and incomplete claims are refused', () => {
  const sales = verifierFor();
  expect(verify(sales, withSignature(forge({ ...header, typ: 'JWT' }, claims())))).toMatchObject({ reason: 'malformed-signature', message: expect.stringMatching(/typ is "JWT"/) });
  expect(verify(sales, withSignature(forge({ ...header, crit: ['b64'], b64: false }, claims())))).toMatchObject({ reason: 'malformed-signature', message: expect.stringMatching(/crit/) });
  for (const missing of ['aud', 'iat', 'exp', 'jti', 'body_sha256', 'principal_sha256'] as const) {
    const { [missing]: _, ...rest } = claims();
    expect(refusal(verify(sales, withSignature(forge(header, rest))))).toBe('malformed-claims');
  }
  expect(refusal(verify(sales, withSignature(forge(header, claims({ aud: ['sales'] as never })))))).toBe('malformed-claims');
  expect(refusal(verify(sales, withSignature(forge(header, claims({ jti: 'short' })))))).toBe('malformed-claims');
});

test('missing and malformed headers are named; a header sent twice is refused, not guessed at', () => {
  const sales = verifierFor();
  const headers = signed();
  expect(verify(sales, { [PRINCIPAL_HEADER]: headers[PRINCIPAL_HEADER] })).toEqual({ ok: false, reason: 'missing-signature', message: 'missing the x-meshgate-signature header' });
  expect(verify(sales, { [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER] })).toMatchObject({ ok: false, reason: 'missing-principal' });
  const valid = headers[SIGNATURE_HEADER];
  const hmacStyle = `t=${nowSec},v1=${'0'.repeat(64)}`;
  for (const bad of ['garbage', hmacStyle, `${valid}A`, `${valid}.x`, valid.replace('.', '..'), `${valid.slice(0, -1)}=`, `a.b.${'%'.repeat(86)}`]) {
    expect(refusal(verify(sales, { ...headers, [SIGNATURE_HEADER]: bad }))).toBe('malformed-signature');
  }
  expect(verify(sales, { ...headers, [SIGNATURE_HEADER]: [valid, valid] })).toMatchObject({ ok: false, reason: 'malformed-signature' });
  expect(verify(sales, { ...headers, [PRINCIPAL_HEADER]: [headers[PRINCIPAL_HEADER], headers[PRINCIPAL_HEADER]] })).toMatchObject({ ok: false, reason: 'malformed-signature' });
});

test('a correctly signed principal header that is not a principal is refused', () => {
  const sales = verifierFor();
  for (const header of ['not-json', Buffer.from('{"id":"x","kind":"root","roles":[],"scopes":[],"domains":[]}').toString('base64url')]) {
    const signature = requestSignerFor(gateway.privatePem).signatureHeader({ audience: 'sales', principalHeader: header, body, now });
    expect(verify(sales, { [PRINCIPAL_HEADER]: header, [SIGNATURE_HEADER]: signature })).toMatchObject({ ok: false, reason: 'malformed-principal' });
  }
});

test('no refusal message contains the signature or the principal header', () => {
  const sales = verifierFor();
  const headers = signed();
  const spent = verifierFor();
  verify(spent, headers);
  const refusals = [
    verify(verifierFor('finance'), headers),
    verify(spent, headers),
    verify(sales, headers, { body: '{}' }),
    verify(sales, headers, { now: now + 60_000 }),
    verify(verifierFor('sales', [next.publicPem]), headers),
    verify(sales, { ...headers, [SIGNATURE_HEADER]: `${headers[SIGNATURE_HEADER]}x` }),
    verify(sales, { ...headers, [PRINCIPAL_HEADER]: encodePrincipal({ ...principal, id: 'mallory' }) }),
  ];
  for (const result of refusals) {
    expect(result.ok).toBe(false);
    const { message } = result as { message: string };
    for (const part of [...headers[SIGNATURE_HEADER].split('.'), headers[PRINCIPAL_HEADER]]) expect(message).not.toContain(part);
  }
});

test('the nonce memory is bounded and never lets a replay through when it overflows', () => {
  const sales = verifierFor('sales', [gateway.publicPem], 3);
  const requests = [0, 1, 2, 3].map((second) => signed({ now: now + second * 1000 }));
  for (const [second, headers] of requests.entries()) expect(verify(sales, headers, { now: now + second * 1000 })).toMatchObject({ ok: true });
  // The first nonce was forgotten for room: its replay is refused all the same, as is the last one's.
  expect(verify(sales, requests[0], { now: now + 4000 })).toMatchObject({ ok: false, reason: 'replayed', message: expect.stringMatching(/older than the nonces this subgraph still remembers/) });
  expect(verify(sales, requests[3], { now: now + 4000 })).toMatchObject({ ok: false, reason: 'replayed', message: expect.stringMatching(/already accepted once/) });
  // Fresh requests keep being accepted.
  expect(verify(sales, signed({ now: now + 5000 }), { now: now + 5000 })).toMatchObject({ ok: true });
});

describe('standard JWS, checked against jose', () => {
  test('our kid is the RFC 7638 thumbprint jose computes, for PEM and JWK alike', async () => {
    expect(kid).toBe(await calculateJwkThumbprint(gateway.publicKey.export({ format: 'jwk' }) as never));
    expect(importSigningKey(JSON.stringify(gateway.privateKey.export({ format: 'jwk' }))).kid).toBe(kid);
    expect(importVerificationKey(JSON.stringify(gateway.publicKey.export({ format: 'jwk' }))).kid).toBe(kid);
    expect(thumbprintOf(gateway.publicKey)).toBe(kid);
  });

  test('jose verifies our signature with the public key, audience and type', async () => {
    const headers = signed({ now: Date.now() });
    const { payload, protectedHeader } = await jwtVerify(headers[SIGNATURE_HEADER], gateway.publicKey, { algorithms: ['EdDSA'], audience: 'sales', typ: REQUEST_TOKEN_TYPE });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid, typ: REQUEST_TOKEN_TYPE });
    expect(payload).toMatchObject({ aud: 'sales', body_sha256: sha256(body) });
    await expect(jwtVerify(headers[SIGNATURE_HEADER], gateway.publicKey, { algorithms: ['EdDSA'], audience: 'finance' })).rejects.toThrow(/aud/);
  });

  test("we verify jose's JWS made with the gateway key", async () => {
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims()))).setProtectedHeader(header).sign(gateway.privateKey);
    expect(verify(verifierFor(), withSignature(token))).toEqual({ ok: true, principal });
  });
});

test('signing and verifying stay cheap (about 0.1 to 0.3 ms each on a loaded 2-core machine; bounded at 2 ms here)', () => {
  const sales = verifierFor();
  const signer = requestSignerFor(gateway.privatePem);
  const rounds = 300;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const signature = signer.signatureHeader({ audience: 'sales', principalHeader, body });
    if (!sales.verify({ headers: withSignature(signature), body }).ok) throw new Error('a fresh signature was refused');
  }
  expect((performance.now() - started) / rounds).toBeLessThan(2);
});

describe('keys', () => {
  test('a subgraph key list refuses private keys; the gateway key refuses public ones', () => {
    expect(() => importVerificationKey(gateway.privatePem)).toThrow("got a private key: give subgraphs only the gateway's public key");
    expect(() => importVerificationKey(JSON.stringify(gateway.privateKey.export({ format: 'jwk' })))).toThrow(/got a private key/);
    expect(() => importSigningKey(gateway.publicPem)).toThrow(/^expected an Ed25519 private key .*; got a public ed25519 key$/);
    expect(() => verifierFor('sales', [])).toThrow('Subgraph "sales": at least one gateway public key is needed to verify requests');
  });

  test('key lists: PEM blocks, a JWK, an array of JWKs, a JWKS', () => {
    const jwk = gateway.publicKey.export({ format: 'jwk' });
    const jwk2 = next.publicKey.export({ format: 'jwk' });
    expect(splitKeyList(`${gateway.publicPem}\n${next.publicPem}`)).toEqual([gateway.publicPem, next.publicPem]);
    expect(splitKeyList(JSON.stringify(jwk)).map((text) => importVerificationKey(text).kid)).toEqual([kid]);
    expect(splitKeyList(JSON.stringify([jwk, jwk2]))).toHaveLength(2);
    expect(splitKeyList(JSON.stringify({ keys: [jwk, jwk2] }))).toHaveLength(2);
    expect(splitKeyList('  ')).toEqual([]);
    expect(() => splitKeyList('{not json')).toThrow(/JSON that does not parse/);
    expect(() => splitKeyList('hunter2')).toThrow(/got text that is neither PEM nor JSON \(7 characters\)$/);
    expect(gatewayVerificationKeys(gateway.privatePem, [next.publicPem])).toEqual([gateway.publicPem, next.publicPem]);
  });

  test("a subgraph's keys from the environment: development falls back to the development key, production needs its own", () => {
    expect(gatewayPublicKeysFrom({}, 'development')).toEqual([DEVELOPMENT_GATEWAY_PUBLIC_KEY]);
    expect(importVerificationKey(DEVELOPMENT_GATEWAY_PUBLIC_KEY).kid).toBe(importSigningKey(DEVELOPMENT_SIGNING_KEY).kid);
    expect(gatewayPublicKeysFrom({ MESHGATE_GATEWAY_PUBLIC_KEYS: `${gateway.publicPem}${next.publicPem}` }, 'production')).toEqual([gateway.publicPem, next.publicPem]);
    const file = join(mkdtempSync(join(tmpdir(), 'meshgate-keys-')), 'gateway.pub');
    writeFileSync(file, gateway.publicPem);
    expect(gatewayPublicKeysFrom({ MESHGATE_GATEWAY_PUBLIC_KEYS_FILE: file }, 'production')).toEqual([gateway.publicPem]);
    expect(() => gatewayPublicKeysFrom({}, 'production')).toThrow(/^MESHGATE_GATEWAY_PUBLIC_KEYS \(or MESHGATE_GATEWAY_PUBLIC_KEYS_FILE\) is required in production/);
    expect(() => gatewayPublicKeysFrom({ MESHGATE_GATEWAY_PUBLIC_KEYS: DEVELOPMENT_GATEWAY_PUBLIC_KEY }, 'production')).toThrow(
      /^MESHGATE_GATEWAY_PUBLIC_KEYS key 1: is the published development key/,
    );
    expect(() => gatewayPublicKeysFrom({ MESHGATE_GATEWAY_PUBLIC_KEYS: `${gateway.publicPem}${next.privatePem}` }, 'development')).toThrow(/^MESHGATE_GATEWAY_PUBLIC_KEYS key 2: .*got a private key/);
    expect(() => gatewayPublicKeysFrom({ MESHGATE_GATEWAY_PUBLIC_KEYS_FILE: `${file}.missing` }, 'development')).toThrow(/^MESHGATE_GATEWAY_PUBLIC_KEYS_FILE: cannot read the key file .*ENOENT/);
    expect(() => gatewayPublicKeysFrom({ MESHGATE_SIGNING_SECRET: 'x'.repeat(40) }, 'development')).toThrow(/^MESHGATE_SIGNING_SECRET is no longer used/);
  });

  test('production refuses the development signing key; the message never quotes a key', () => {
    expect(signingKeyProblem(DEVELOPMENT_SIGNING_KEY, 'development')).toBeUndefined();
    expect(signingKeyProblem(DEVELOPMENT_SIGNING_KEY, 'production')).toMatch(/^is the published development key/);
    expect(signingKeyProblem(gateway.privatePem, 'production')).toBeUndefined();
    const problem = signingKeyProblem(gateway.publicPem, 'production')!;
    expect(problem).not.toContain(gateway.publicPem.split('\n')[1]);
  });
});
