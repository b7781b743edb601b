import {
  decodePrincipal,
  DEVELOPMENT_SIGNING_SECRET,
  encodePrincipal,
  PRINCIPAL_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
  signingSecretFrom,
  signRequest,
  verifySignedRequest,
  type SignedPrincipal,
} from './signing';

const secret = 'a-test-secret-that-is-long-enough-0123456789';
const principal: SignedPrincipal = { id: 'u-42', kind: 'user', email: 'ada@example.com', roles: ['analyst'], scopes: ['pii:read'], domains: ['sales'] };
const body = '{"query":"{ orders(first: 2) { id } }"}';
const now = Date.UTC(2026, 0, 1, 12, 0, 0);

const signed = (overrides: { principal?: SignedPrincipal; body?: string; secret?: string; now?: number } = {}) =>
  signRequest({ principal: overrides.principal ?? principal, body: overrides.body ?? body, secret: overrides.secret ?? secret, now: overrides.now ?? now });

const verify = (headers: Record<string, string | string[] | undefined>, options: { body?: string | Buffer; now?: number; secret?: string } = {}) =>
  verifySignedRequest({ headers, body: options.body ?? body, secret: options.secret ?? secret, now: options.now ?? now });

test('a signed request verifies and yields the principal it was signed for', () => {
  const headers = signed();
  expect(headers[SIGNATURE_HEADER]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(headers[SIGNATURE_HEADER].startsWith(`t=${now / 1000},`)).toBe(true);
  expect(verify(headers)).toEqual({ ok: true, principal });
  // The raw body bytes, as a server reads them, verify the same as the string the gateway sent.
  expect(verify(headers, { body: Buffer.from(body) })).toEqual({ ok: true, principal });
});

test('only id, kind, email, roles, scopes and domains travel in the principal header', () => {
  const gatewayPrincipal = { ...principal, authenticatedBy: 'jwt', token: 'secret-token' } as SignedPrincipal;
  const decoded = JSON.parse(Buffer.from(encodePrincipal(gatewayPrincipal), 'base64url').toString('utf8'));
  expect(decoded).toEqual(principal);
  expect(PRINCIPAL_HEADER).toBe('x-meshgate-principal');
  expect(decodePrincipal(encodePrincipal({ id: 'anonymous', kind: 'anonymous', roles: [], scopes: [], domains: [] }))).toEqual({
    id: 'anonymous',
    kind: 'anonymous',
    roles: [],
    scopes: [],
    domains: [],
  });
});

test('a changed body is refused', () => {
  expect(verify(signed(), { body: body.replace('2', '2000') })).toMatchObject({ ok: false, reason: 'bad-signature' });
});

test('a changed principal is refused, even a well-formed one', () => {
  const headers = signed();
  const admin = encodePrincipal({ ...principal, roles: ['admin'] });
  expect(verify({ ...headers, [PRINCIPAL_HEADER]: admin })).toMatchObject({ ok: false, reason: 'bad-signature' });
});

test('a signature made with another secret is refused', () => {
  expect(verify(signed({ secret: 'another-secret-that-is-long-enough-012345' }))).toMatchObject({
    ok: false,
    reason: 'bad-signature',
    message: expect.stringMatching(/does not match/),
  });
});

test('a signature older than 60 s is refused as stale; 60 s is still accepted', () => {
  expect(verify(signed({ now: now - 61_000 }))).toMatchObject({ ok: false, reason: 'stale-timestamp', message: 'the signature is 61 s old (at most 60 s is accepted)' });
  expect(verify(signed({ now: now - 60_000 }))).toMatchObject({ ok: true });
  expect(verifySignedRequest({ headers: signed({ now: now - 10_000 }), body, secret, now, maxSkewSec: 5 })).toMatchObject({ reason: 'stale-timestamp' });
});

test('a signature dated more than 60 s in the future is refused', () => {
  expect(verify(signed({ now: now + 120_000 }))).toMatchObject({ ok: false, reason: 'future-timestamp', message: expect.stringMatching(/120 s in the future/) });
  expect(verify(signed({ now: now + 30_000 }))).toMatchObject({ ok: true });
});

test('missing headers are named', () => {
  const headers = signed();
  expect(verify({ [PRINCIPAL_HEADER]: headers[PRINCIPAL_HEADER] })).toEqual({
    ok: false,
    reason: 'missing-signature',
    message: 'missing the x-meshgate-signature header',
  });
  expect(verify({ [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER] })).toMatchObject({ ok: false, reason: 'missing-principal' });
});

test('malformed signatures are refused without being compared', () => {
  const principalHeader = encodePrincipal(principal);
  const valid = signatureHeader({ principalHeader, body, secret, now });
  for (const bad of ['garbage', 'v1=abc', `t=abc,${valid.split(',')[1]}`, `${valid}0`, valid.toUpperCase(), `${valid},v1=${'0'.repeat(64)}`]) {
    expect(verify({ [PRINCIPAL_HEADER]: principalHeader, [SIGNATURE_HEADER]: bad })).toMatchObject({ ok: false, reason: 'malformed-signature' });
  }
  // A header sent twice is refused, not guessed at.
  expect(verify({ [PRINCIPAL_HEADER]: principalHeader, [SIGNATURE_HEADER]: [valid, valid] })).toMatchObject({ ok: false, reason: 'malformed-signature' });
});

test('a correctly signed principal header that is not a principal is refused', () => {
  for (const principalHeader of ['not-json', Buffer.from('{"id":"x","kind":"root","roles":[],"scopes":[],"domains":[]}').toString('base64url')]) {
    const headers = { [PRINCIPAL_HEADER]: principalHeader, [SIGNATURE_HEADER]: signatureHeader({ principalHeader, body, secret, now }) };
    expect(verify(headers)).toMatchObject({ ok: false, reason: 'malformed-principal' });
  }
});

describe('signingSecretFrom', () => {
  test('uses MESHGATE_SIGNING_SECRET when set', () => {
    expect(signingSecretFrom({ MESHGATE_SIGNING_SECRET: secret }, 'production')).toBe(secret);
    expect(signingSecretFrom({ MESHGATE_SIGNING_SECRET: 'short' }, 'development')).toBe('short');
  });

  test('development falls back to the documented development secret', () => {
    expect(signingSecretFrom({}, 'development')).toBe(DEVELOPMENT_SIGNING_SECRET);
    expect(signingSecretFrom({ MESHGATE_SIGNING_SECRET: '' }, 'development')).toBe(DEVELOPMENT_SIGNING_SECRET);
  });

  test('production refuses a missing, default or short secret, naming the variable but never the secret', () => {
    expect(() => signingSecretFrom({}, 'production')).toThrow(/^MESHGATE_SIGNING_SECRET is required in production: .*at least 32 characters/);
    expect(() => signingSecretFrom({ MESHGATE_SIGNING_SECRET: '' }, 'production')).toThrow(/MESHGATE_SIGNING_SECRET is required/);
    expect(() => signingSecretFrom({ MESHGATE_SIGNING_SECRET: DEVELOPMENT_SIGNING_SECRET }, 'production')).toThrow(
      'MESHGATE_SIGNING_SECRET is the published development default; production needs its own secret',
    );
    const short = 'x'.repeat(31);
    expect(() => signingSecretFrom({ MESHGATE_SIGNING_SECRET: short }, 'production')).toThrow(
      'MESHGATE_SIGNING_SECRET is too short (31 characters); production needs at least 32',
    );
    expect(signingSecretFrom({ MESHGATE_SIGNING_SECRET: 'x'.repeat(32) }, 'production')).toBe('x'.repeat(32));
  });
});
