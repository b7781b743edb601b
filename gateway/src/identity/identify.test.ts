import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { HttpError } from '../../../subgraphs/lib/http';
import { hashApiKey } from './apiKeys';
import { IdentityConfigSchema, type IdentityConfigInput } from './config';
import { identityErrorResponse } from './errors';
import { createIdentifier, IdentityError, type IdentifierOptions, type RequestHeaders } from './identify';
import { ANONYMOUS } from './principal';

const SECRET = 'test-secret-that-is-long-enough-0123456789';
const ISSUER = 'https://idp.corp.example/';
const AUDIENCE = 'meshgate';
/** The identifier's clock: tokens are issued at NOW unless a test says otherwise. */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const nowSec = NOW / 1000;

function identifier(input: IdentityConfigInput, options: IdentifierOptions = {}) {
  return createIdentifier(IdentityConfigSchema.parse(input), { now: () => NOW, ...options });
}

const hsConfig = { jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE } };

type SignOptions = { alg?: string; key?: CryptoKey | Uint8Array; kid?: string };

async function sign(claims: JWTPayload, { alg = 'HS256', key = new TextEncoder().encode(SECRET), kid }: SignOptions = {}) {
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat: nowSec, exp: nowSec + 600, ...claims })
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })
    .sign(key);
}

const bearer = (token: string): RequestHeaders => ({ authorization: `Bearer ${token}` });

/** The IdentityError an identify() call rejects with; checks it never repeats the credential it was given. */
async function rejection(promise: Promise<unknown>, credential?: string): Promise<IdentityError> {
  const error = await promise.then(
    () => {
      throw new Error('expected identify() to reject');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IdentityError);
  const identityError = error as IdentityError;
  for (const secret of [SECRET, credential].filter(Boolean) as string[]) {
    expect(identityError.message).not.toContain(secret);
    const signature = secret.split('.')[2];
    if (signature && signature.length >= 16) expect(identityError.message).not.toContain(signature);
  }
  return identityError;
}

async function rejectionOf(identify: (h: RequestHeaders) => Promise<unknown>, token: string) {
  return rejection(identify(bearer(token)), token);
}

describe('no credentials', () => {
  test('a request without credentials gets the anonymous principal', async () => {
    const identify = identifier(hsConfig);
    expect(await identify({})).toBe(ANONYMOUS);
    expect(await identify({ authorization: '   ', 'x-api-key': '' })).toBe(ANONYMOUS);
    expect(await identify({ authorization: undefined, accept: 'application/json' })).toBe(ANONYMOUS);
  });

  test('an empty config identifies nobody but still answers anonymous requests', async () => {
    expect(await identifier({})({})).toBe(ANONYMOUS);
  });
});

describe('HS256 shared secret (development)', () => {
  const identify = identifier(hsConfig);

  test('a valid token becomes a user principal with its roles, scopes and domains', async () => {
    const token = await sign({ email: 'alice@corp.example', email_verified: true, roles: ['analyst'], scope: 'orders:read pii:read', domains: ['sales'] });
    expect(await identify(bearer(token))).toEqual({
      id: 'alice',
      kind: 'user',
      email: 'alice@corp.example',
      roles: ['analyst'],
      scopes: ['orders:read', 'pii:read'],
      domains: ['sales'],
      authenticatedBy: 'jwt',
    });
  });

  test('the Authorization header is found whatever the case of its name and scheme', async () => {
    const token = await sign({});
    expect((await identify({ Authorization: `bearer ${token}` })).id).toBe('alice');
  });

  test('a token signed with another secret is refused: bad signature', async () => {
    const token = await sign({}, { key: new TextEncoder().encode('another-secret-that-is-long-enough-000000') });
    const error = await rejectionOf(identify, token);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason: 'invalid_signature' });
    expect(error.message).toMatch(/signature does not verify/);
  });

  test('a tampered payload is refused: bad signature', async () => {
    const [header, , signature] = (await sign({ roles: ['analyst'] })).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', exp: nowSec + 600, roles: ['admin'] })).toString('base64url');
    const error = await rejectionOf(identify, `${header}.${forged}.${signature}`);
    expect(error.reason).toBe('invalid_signature');
  });

  test('an unsigned token (alg "none", crafted by hand) is refused', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = part({ iss: ISSUER, aud: AUDIENCE, sub: 'mallory', exp: nowSec + 600, roles: ['admin'] });
    for (const alg of ['none', 'None', 'NONE']) {
      const error = await rejectionOf(identify, `${part({ alg, typ: 'JWT' })}.${claims}.`);
      expect(error).toMatchObject({ status: 401, reason: 'algorithm_not_accepted' });
      expect(error.message).toBe('unsigned tokens (alg "none") are not accepted');
    }
  });

  test('a token with an algorithm that is not configured is refused and the expected ones are named', async () => {
    const token = await sign({}, { alg: 'HS512' });
    const error = await rejectionOf(identify, token);
    expect(error.message).toBe('the token\'s algorithm "HS512" is not accepted; expected HS256');
  });

  test('an expired token is refused and the message says when it expired', async () => {
    const token = await sign({ iat: nowSec - 7200, exp: nowSec - 3600 });
    const error = await rejectionOf(identify, token);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason: 'token_expired' });
    expect(error.message).toBe('the token expired at 2026-01-15T11:00:00.000Z (60 min ago; clock tolerance 30 s)');
  });

  test('the clock tolerance is honoured on exp and nbf, and not exceeded', async () => {
    expect((await identify(bearer(await sign({ exp: nowSec - 29 })))).id).toBe('alice');
    expect((await rejectionOf(identify, await sign({ exp: nowSec - 31 }))).reason).toBe('token_expired');
    expect((await identify(bearer(await sign({ nbf: nowSec + 29 })))).id).toBe('alice');
    const strict = identifier({ jwt: { ...hsConfig.jwt, clockToleranceSec: 0 } });
    expect((await rejectionOf(strict, await sign({ exp: nowSec }))).reason).toBe('token_expired');
  });

  test('a verified token is trusted again for verifiedTokenCacheSec, never past its exp, and only that exact token', async () => {
    let clock = NOW;
    const cached = identifier(hsConfig, { now: () => clock });
    const token = await sign({ exp: nowSec + 90, roles: ['analyst'] });
    const first = await cached(bearer(token));
    expect(await cached(bearer(token))).toBe(first); // from the cache: the same frozen principal
    expect(Object.isFrozen(first.roles)).toBe(true);
    // One byte apart (the signature's last character): verified from scratch and refused.
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect((await rejectionOf(cached, tampered)).reason).toBe('invalid_signature');
    clock = NOW + 61_000; // past the cache's 60 s: verified again, still valid
    const again = await cached(bearer(token));
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    clock = NOW + 121_000; // past exp (+90 s) and its 30 s tolerance: refused, cached or not
    expect((await rejectionOf(cached, token)).reason).toBe('token_expired');

    const uncached = identifier({ jwt: { ...hsConfig.jwt, verifiedTokenCacheSec: 0 } });
    expect(await uncached(bearer(token))).not.toBe(await uncached(bearer(token)));
  });

  test('a token that is not yet valid (nbf beyond the tolerance) is refused and says from when', async () => {
    const error = await rejectionOf(identify, await sign({ nbf: nowSec + 3600 }));
    expect(error.reason).toBe('token_not_yet_valid');
    expect(error.message).toBe('the token is not valid before 2026-01-15T13:00:00.000Z (60 min from now; clock tolerance 30 s)');
  });

  test('a wrong issuer or audience is refused, naming what was given and what is expected', async () => {
    const wrongIssuer = await rejectionOf(identify, await sign({ iss: 'https://evil.example/' }));
    expect(wrongIssuer).toMatchObject({ reason: 'wrong_issuer', message: 'the token\'s issuer "https://evil.example/" is not accepted; expected "https://idp.corp.example/"' });
    const wrongAudience = await rejectionOf(identify, await sign({ aud: ['billing', 'crm'] }));
    expect(wrongAudience).toMatchObject({ reason: 'wrong_audience', message: 'the token\'s audience ["billing","crm"] is not accepted; expected "meshgate"' });
  });

  test('one of several configured issuers and audiences is enough', async () => {
    const several = identifier({ jwt: { secret: SECRET, issuer: ['https://a.example/', ISSUER], audience: ['other', AUDIENCE] } });
    expect((await several(bearer(await sign({ aud: ['x', AUDIENCE] })))).id).toBe('alice');
  });

  test('a token without sub, exp, iss or aud is refused, naming the missing claim', async () => {
    expect(await rejectionOf(identify, await sign({ sub: undefined }))).toMatchObject({
      reason: 'missing_claim',
      message: 'the token has no "sub" claim (the subject, which becomes the principal id)',
    });
    expect((await rejectionOf(identify, await sign({ exp: undefined }))).message).toMatch(/no "exp" claim .*never expire/);
    expect((await rejectionOf(identify, await sign({ iss: undefined }))).message).toMatch(/no "iss" claim/);
    expect((await rejectionOf(identify, await sign({ aud: undefined }))).message).toMatch(/no "aud" claim/);
    expect((await rejectionOf(identify, await sign({ sub: 42 as unknown as string }))).reason).toBe('invalid_claim');
  });

  test('garbage is refused as a malformed token', async () => {
    for (const garbage of ['hello', 'a.b', 'a.b.c', '!!!.???.***', 'e30.e30.e30.e30.e30', `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.bm90IGpzb24.c2ln`]) {
      const error = await rejectionOf(identify, garbage);
      expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(['malformed_token', 'invalid_signature']).toContain(error.reason);
    }
    expect((await rejectionOf(identify, 'hello')).message).toBe('the bearer token is not a JWT (expected three base64url parts separated by dots)');
    expect((await rejectionOf(identify, 'e30.e30.e30.e30.e30')).message).toMatch(/encrypted JWT/);
  });

  test('a token whose claims are not JSON, but correctly signed, is malformed', async () => {
    const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const payload = Buffer.from('not json').toString('base64url');
    const signature = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
    expect((await rejectionOf(identify, `${header}.${payload}.${signature}`)).reason).toBe('malformed_token');
  });
});

describe('claims mapping', () => {
  test('claim paths may be dotted, and a claim whose own name has dots is found too', async () => {
    const identify = identifier({
      jwt: { ...hsConfig.jwt, claims: { roles: 'realm_access.roles', scopes: 'scp', domains: 'https://corp.example/domains', email: 'profile.mail' } },
    });
    const token = await sign({
      realm_access: { roles: ['analyst', 'analyst', 'auditor'] },
      scp: ['orders:read', 'pii:read'],
      'https://corp.example/domains': 'sales marketing',
      profile: { mail: 'alice@corp.example' },
      email_verified: true,
      roles: ['admin'],
    });
    expect(await identify(bearer(token))).toMatchObject({
      roles: ['analyst', 'auditor'],
      scopes: ['orders:read', 'pii:read'],
      domains: ['sales', 'marketing'],
      email: 'alice@corp.example',
    });
  });

  test('space-separated scopes are split, absent claims are empty lists', async () => {
    const identify = identifier(hsConfig);
    expect(await identify(bearer(await sign({ scope: '  orders:read   pii:read ' })))).toMatchObject({ scopes: ['orders:read', 'pii:read'], roles: [], domains: [] });
  });

  test('a claim of the wrong type is refused rather than guessed', async () => {
    const identify = identifier(hsConfig);
    expect((await rejectionOf(identify, await sign({ roles: { admin: true } }))).message).toBe('the token\'s "roles" claim must be a string or a list of strings, got object');
    expect((await rejectionOf(identify, await sign({ scope: ['a', 1] }))).message).toMatch(/"scope" claim .* got a list with non-strings/);
    expect((await rejectionOf(identify, await sign({ email: 7 }))).reason).toBe('invalid_claim');
  });

  test('an unverified email is not part of the principal: only email_verified true counts, unless the issuer vouches for every email', async () => {
    const identify = identifier(hsConfig);
    expect((await identify(bearer(await sign({ email: 'mallory@meshgate.example', email_verified: false })))).email).toBeUndefined();
    expect((await identify(bearer(await sign({ email: 'mallory@meshgate.example' })))).email).toBeUndefined();
    expect((await identify(bearer(await sign({ email: 'mallory@meshgate.example', email_verified: 'true' })))).email).toBeUndefined();
    expect((await identify(bearer(await sign({ email: 'alice@meshgate.example', email_verified: true })))).email).toBe('alice@meshgate.example');
    const corporate = identifier({ jwt: { ...hsConfig.jwt, emailVerifiedBy: 'issuer' } });
    expect((await corporate(bearer(await sign({ email: 'alice@meshgate.example' })))).email).toBe('alice@meshgate.example');
  });

  test('a service is what the config says (a claim, an audience, an issuer), never a coincidence of claims', async () => {
    const plain = identifier(hsConfig);
    // Without jwt.services no token is a service, whatever it claims about its client.
    for (const claims of [{ sub: 'reporting', client_id: 'reporting' }, { sub: 'reporting', azp: 'reporting' }, { sub: 'svc@clients', gty: 'client-credentials' }]) {
      expect((await plain(bearer(await sign(claims)))).kind).toBe('user');
    }
    const byClaim = identifier({ jwt: { ...hsConfig.jwt, services: { claim: { name: 'principal_kind', value: 'service' } } } });
    expect((await byClaim(bearer(await sign({ sub: 'reporting', principal_kind: 'service' })))).kind).toBe('service');
    expect((await byClaim(bearer(await sign({ sub: 'reporting', azp: 'reporting', principal_kind: 'user' })))).kind).toBe('user');
    const byAudience = identifier({ jwt: { ...hsConfig.jwt, audience: [AUDIENCE, 'meshgate-m2m'], services: { audience: 'meshgate-m2m' } } });
    expect((await byAudience(bearer(await sign({ sub: 'etl', aud: ['meshgate-m2m'] })))).kind).toBe('service');
    expect((await byAudience(bearer(await sign({ sub: 'alice' })))).kind).toBe('user');
    const byIssuer = identifier({ jwt: { ...hsConfig.jwt, issuer: [ISSUER, 'https://m2m.corp.example/'], services: { issuer: 'https://m2m.corp.example/' } } });
    expect((await byIssuer(bearer(await sign({ sub: 'etl', iss: 'https://m2m.corp.example/' })))).kind).toBe('service');
    // A service speaks for itself: an email on its token is not an identity.
    expect((await byClaim(bearer(await sign({ sub: 'etl', principal_kind: 'service', email: 'ceo@meshgate.example', email_verified: true })))).email).toBeUndefined();
  });

  test('jwt.services must name at least one criterion', () => {
    expect(() => IdentityConfigSchema.parse({ jwt: { ...hsConfig.jwt, services: {} } })).toThrow(/give at least one of claim, audience or issuer/);
  });
});

/** A local identity provider: serves whatever key set the test puts in it, counts fetches, can fail or hang. */
async function startJwksServer() {
  const state = { keys: [] as JWK[], fetches: 0, mode: 'ok' as 'ok' | 'error' | 'hang' };
  const server: Server = createServer((req, res) => {
    state.fetches++;
    if (state.mode === 'hang') return;
    if (state.mode === 'error') return void res.writeHead(500).end('oops');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return {
    state,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function keyPair(alg: 'RS256' | 'ES256', kid: string) {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { publicKey, privateKey, jwk, kid, alg };
}

describe('JWKS (RS256 and ES256 from an identity provider over HTTP)', () => {
  let idp: Awaited<ReturnType<typeof startJwksServer>>;
  let rsa: Awaited<ReturnType<typeof keyPair>>;
  let ec: Awaited<ReturnType<typeof keyPair>>;
  const jwksConfig = () => ({ jwt: { jwksUrl: idp.url, issuer: ISSUER, audience: AUDIENCE } });

  beforeAll(async () => {
    [rsa, ec] = await Promise.all([keyPair('RS256', 'rsa-1'), keyPair('ES256', 'ec-1')]);
    idp = await startJwksServer();
  });
  beforeEach(() => {
    idp.state.keys = [rsa.jwk, ec.jwk];
    idp.state.mode = 'ok';
  });
  afterAll(() => idp.close());

  test('RS256 and ES256 tokens signed by the provider are accepted; the key set is fetched once', async () => {
    const identify = identifier(jwksConfig());
    const before = idp.state.fetches;
    expect(await identify(bearer(await sign({ roles: ['analyst'] }, { alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' })))).toMatchObject({
      id: 'alice',
      roles: ['analyst'],
      authenticatedBy: 'jwt',
    });
    expect((await identify(bearer(await sign({}, { alg: 'ES256', key: ec.privateKey, kid: 'ec-1' })))).id).toBe('alice');
    expect(idp.state.fetches - before).toBe(1);
  });

  test('a token signed by another key under a known kid is refused: bad signature', async () => {
    const impostor = await keyPair('RS256', 'rsa-1');
    const error = await rejectionOf(identifier(jwksConfig()), await sign({}, { alg: 'RS256', key: impostor.privateKey, kid: 'rsa-1' }));
    expect(error.reason).toBe('invalid_signature');
  });

  test('a token whose kid the provider does not publish is refused after one refetch, and the cooldown stops refetch storms', async () => {
    const identify = identifier(jwksConfig());
    const stranger = await keyPair('RS256', 'unknown-kid');
    await identify(bearer(await sign({}, { alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' })));
    const before = idp.state.fetches;
    const error = await rejectionOf(identify, await sign({}, { alg: 'RS256', key: stranger.privateKey, kid: 'unknown-kid' }));
    expect(error).toMatchObject({ status: 401, reason: 'unknown_signing_key' });
    expect(error.message).toMatch(/key id "unknown-kid"/);
    await rejectionOf(identify, await sign({}, { alg: 'RS256', key: stranger.privateKey, kid: 'unknown-kid' }));
    expect(idp.state.fetches).toBe(before);
  });

  test('key rotation: a token with a new kid makes the gateway fetch the new key set', async () => {
    const identify = identifier({ jwt: { ...jwksConfig().jwt, jwksCooldownMs: 0 } });
    expect((await identify(bearer(await sign({}, { alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' })))).id).toBe('alice');
    const rotated = await keyPair('RS256', 'rsa-2');
    idp.state.keys = [rotated.jwk];
    const before = idp.state.fetches;
    expect((await identify(bearer(await sign({ sub: 'bob' }, { alg: 'RS256', key: rotated.privateKey, kid: 'rsa-2' })))).id).toBe('bob');
    expect(idp.state.fetches).toBe(before + 1);
  });

  test('an HS256 token signed with the provider\'s public key is refused (algorithm confusion)', async () => {
    const publicPem = await exportSPKI(rsa.publicKey);
    const token = await sign({}, { alg: 'HS256', key: new TextEncoder().encode(publicPem), kid: 'rsa-1' });
    const error = await rejectionOf(identifier(jwksConfig()), token);
    expect(error).toMatchObject({ reason: 'algorithm_not_accepted', message: 'the token\'s algorithm "HS256" is not accepted; expected RS256 or ES256' });
  });

  test('JWKS server down → 503 IDENTITY_PROVIDER_UNAVAILABLE, not 401, without naming the internal URL', async () => {
    const down = await startJwksServer();
    down.state.keys = [rsa.jwk];
    await down.close();
    const identify = identifier({ jwt: { ...jwksConfig().jwt, jwksUrl: down.url } });
    const token = await sign({}, { alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' });
    const error = await rejectionOf(identify, token);
    expect(error).toMatchObject({ status: 503, code: 'IDENTITY_PROVIDER_UNAVAILABLE', reason: 'identity_provider_unavailable' });
    expect(error.message).toMatch(/signing keys could not be fetched \(connection failed: ECONNREFUSED\)/);
    expect(error.message).not.toContain(down.url);
  });

  test('a JWKS server that answers 500 or does not answer in time → 503, and tokens verify again once it answers', async () => {
    const token = await sign({}, { alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' });
    idp.state.mode = 'error';
    expect(await rejectionOf(identifier(jwksConfig()), token)).toMatchObject({ status: 503, message: expect.stringMatching(/did not answer 200 OK/) });
    idp.state.mode = 'hang';
    const slow = identifier({ jwt: { ...jwksConfig().jwt, jwksTimeoutMs: 200 } });
    expect(await rejectionOf(slow, token)).toMatchObject({ status: 503, message: expect.stringMatching(/no answer within 200 ms/) });
    idp.state.mode = 'ok';
    expect((await slow(bearer(token))).id).toBe('alice');
  });

  test('the key set is fetched with the fetch given in the options', async () => {
    const calls: string[] = [];
    const identify = identifier(jwksConfig(), {
      fetch: async (input, init) => {
        calls.push(String(input));
        return fetch(input, init);
      },
    });
    await identify(bearer(await sign({}, { alg: 'ES256', key: ec.privateKey, kid: 'ec-1' })));
    expect(calls).toEqual([idp.url]);
  });
});

describe('API keys', () => {
  const KEY = 'mgk_reporting-service-key-0123456789abcdef';
  const OTHER = 'mgk_other-service-key-0123456789abcdef';
  const config = {
    apiKeys: [
      { id: 'other', hash: hashApiKey(OTHER) },
      { id: 'reporting', hash: hashApiKey(KEY), roles: ['analyst'], scopes: ['orders:read'], domains: ['sales'] },
    ],
  };

  test('a known key in x-api-key or Authorization: ApiKey becomes a service principal', async () => {
    const identify = identifier(config);
    const expected = { id: 'reporting', kind: 'service', roles: ['analyst'], scopes: ['orders:read'], domains: ['sales'], authenticatedBy: 'api-key' };
    expect(await identify({ 'x-api-key': KEY })).toEqual(expected);
    expect(await identify({ authorization: `ApiKey ${KEY}` })).toEqual(expected);
    expect(await identify({ 'X-Api-Key': ` ${KEY} ` })).toEqual(expected);
  });

  test('an unknown key is refused without repeating it', async () => {
    const error = await rejection(identifier(config)({ 'x-api-key': 'mgk_guess' }), 'mgk_guess');
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason: 'unknown_api_key', message: 'the API key is not recognised (unknown or revoked)' });
  });

  test('keys are compared by SHA-256 in constant time, against every configured key even after a match', async () => {
    // The module object itself (a namespace import would be a copy that apiKeys.ts never calls).
    const spy = jest.spyOn(require('node:crypto') as typeof import('node:crypto'), 'timingSafeEqual');
    try {
      const identify = identifier(config);
      await identify({ 'x-api-key': OTHER });
      expect(spy).toHaveBeenCalledTimes(2);
      spy.mockClear();
      await rejection(identify({ 'x-api-key': 'x' }));
      expect(spy).toHaveBeenCalledTimes(2);
      for (const [a, b] of spy.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    } finally {
      spy.mockRestore();
    }
  });

  test('a bearer token and an API key together are refused', async () => {
    const identify = identifier({ ...config, ...hsConfig });
    const token = await sign({});
    expect(await rejection(identify({ authorization: `Bearer ${token}`, 'x-api-key': KEY }), KEY)).toMatchObject({
      reason: 'conflicting_credentials',
      message: 'both a bearer token and an API key were sent; send only one',
    });
    expect((await rejection(identify({ authorization: `ApiKey ${KEY}`, 'x-api-key': KEY }), KEY)).reason).toBe('conflicting_credentials');
  });

  test('an API key is refused when none are configured, and a bearer token when no jwt is configured', async () => {
    expect((await rejection(identifier(hsConfig)({ 'x-api-key': KEY }), KEY)).reason).toBe('api_key_not_accepted');
    const error = await rejection(identifier(config)(bearer(await sign({}))));
    expect(error).toMatchObject({ status: 401, reason: 'bearer_not_accepted' });
    expect(error.message).toMatch(/^bearer tokens are not accepted by this gateway/);
  });
});

describe('the Authorization header itself', () => {
  const identify = identifier({ ...hsConfig, apiKeys: [{ id: 'k', hash: hashApiKey('mgk_k') }] });

  test('a scheme other than Bearer or ApiKey is refused and named', async () => {
    const error = await rejection(identify({ authorization: 'Basic YWxpY2U6c2VjcmV0' }), 'YWxpY2U6c2VjcmV0');
    expect(error).toMatchObject({ reason: 'unsupported_scheme' });
    expect(error.message).toBe('the Authorization scheme "Basic" is not supported; use "Authorization: Bearer <token>", "Authorization: ApiKey <key>" or "x-api-key: <key>"');
  });

  test('a token pasted without a scheme is refused without repeating it', async () => {
    const token = await sign({});
    const error = await rejection(identify({ authorization: token }), token);
    expect(error.message).toMatch(/^the Authorization header has no scheme/);
  });

  test('a scheme without a credential, a repeated header, or whitespace inside are malformed', async () => {
    expect((await rejection(identify({ authorization: 'Bearer' }))).message).toBe('the Authorization header says "Bearer" but carries no token');
    expect((await rejection(identify({ authorization: ['Bearer a.b.c', 'Bearer d.e.f'] }))).message).toBe('the Authorization header was sent 2 times; send it once');
    expect((await rejection(identify({ authorization: 'Bearer a.b.c d' }))).reason).toBe('malformed_credentials');
  });
});

describe('HTTP answers for identity errors', () => {
  test('401 carries a Bearer challenge and a GraphQL-shaped body', () => {
    const error = IdentityError.unauthenticated('token_expired', 'the token expired at 2026-01-15T11:00:00.000Z "quoted" \\ é');
    expect(error).toBeInstanceOf(HttpError);
    expect(identityErrorResponse(error)).toEqual({
      status: 401,
      headers: {
        'www-authenticate': 'Bearer realm="meshgate", error="invalid_token", error_description="the token expired at 2026-01-15T11:00:00.000Z \'quoted\' / ?"',
      },
      body: { errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED', reason: 'token_expired' } }] },
    });
    expect(identityErrorResponse(IdentityError.unauthenticated('conflicting_credentials', 'two')).headers['www-authenticate']).toMatch(/error="invalid_request"/);
  });

  test('503 says when to retry and has no challenge', () => {
    const response = identityErrorResponse(IdentityError.providerUnavailable('down'));
    expect(response.status).toBe(503);
    expect(response.headers).toEqual({ 'retry-after': '5' });
    expect(response.body.errors[0].extensions.code).toBe('IDENTITY_PROVIDER_UNAVAILABLE');
  });
});
