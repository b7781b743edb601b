import type { z } from 'zod';
import { hashApiKey } from './apiKeys';
import { DEVELOPMENT_JWT_SECRET, developmentJwtConfig, IdentityConfigSchema, productionProblems } from './config';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const jwt = { secret: SECRET, issuer: 'meshgate-dev', audience: 'meshgate' };

/** The section's problems as the gateway's config loader words them: `identity.<path>: <message>`. */
function problems(input: unknown): string[] {
  const result = IdentityConfigSchema.safeParse(input);
  if (result.success) throw new Error('expected the identity section to be refused');
  return result.error.issues.map((issue: z.core.$ZodIssue) => {
    const path = ['identity', ...issue.path].join('.');
    return issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `${path}.${key}: unknown key`).join(', ') : `${path}: ${issue.message}`;
  });
}

test('an empty section means no JWTs and no API keys', () => {
  expect(IdentityConfigSchema.parse({})).toEqual({ apiKeys: [] });
});

test('defaults: HS256 for a secret, RS256 and ES256 for a JWKS, 30 s tolerance, 60 s verified-token cache, standard claim names, emails verified by their claim, no JWT services', () => {
  const withSecret = IdentityConfigSchema.parse({ jwt }).jwt!;
  expect(withSecret).toEqual({
    ...jwt,
    algorithms: ['HS256'],
    clockToleranceSec: 30,
    jwksTimeoutMs: 5000,
    jwksCooldownMs: 30_000,
    verifiedTokenCacheSec: 60,
    claims: { roles: 'roles', scopes: 'scope', domains: 'domains', email: 'email', emailVerified: 'email_verified' },
    emailVerifiedBy: 'claim',
  });
  const withJwks = IdentityConfigSchema.parse({ jwt: { jwksUrl: 'https://idp.corp.example/jwks.json', issuer: ['a', 'b'], audience: 'meshgate' } }).jwt!;
  expect(withJwks.algorithms).toEqual(['RS256', 'ES256']);
  expect(IdentityConfigSchema.parse({ jwt: { ...jwt, claims: { roles: 'realm_access.roles' } } }).jwt!.claims.roles).toBe('realm_access.roles');
});

test('exactly one of jwksUrl and secret', () => {
  expect(problems({ jwt: { issuer: 'i', audience: 'a' } })).toEqual(['identity.jwt: give either jwksUrl (an identity provider) or secret (development)']);
  expect(problems({ jwt: { ...jwt, jwksUrl: 'https://idp.example/jwks' } })).toEqual(['identity.jwt.secret: give either jwksUrl or secret, not both']);
});

test('a short secret is refused by its key path, and never repeated', () => {
  const [problem, ...rest] = problems({ jwt: { ...jwt, secret: 'hunter2-but-short' } });
  expect(rest).toEqual([]);
  expect(problem).toBe('identity.jwt.secret: too short: a shared secret needs at least 32 characters');
});

test('"none" and algorithms that do not fit the key are refused', () => {
  expect(problems({ jwt: { ...jwt, algorithms: ['HS256', 'none'] } })).toEqual(['identity.jwt.algorithms.1: "none" (unsigned tokens) is never accepted']);
  expect(problems({ jwt: { ...jwt, algorithms: ['RS256'] } })).toEqual([
    'identity.jwt.algorithms.0: "RS256" cannot be used with secret (a shared key); expected one of HS256, HS384, HS512',
  ]);
  expect(problems({ jwt: { jwksUrl: 'https://idp.example/jwks', issuer: 'i', audience: 'a', algorithms: ['HS256'] } })[0]).toMatch(
    /^identity\.jwt\.algorithms\.0: "HS256" cannot be used with jwksUrl/,
  );
});

test('bad values name their key', () => {
  expect(problems({ jwt: { ...jwt, issuer: [] } })).toEqual(['identity.jwt.issuer: expected at least one value']);
  expect(problems({ jwt: { ...jwt, audience: undefined } })[0]).toMatch(/^identity\.jwt\.audience: /);
  expect(problems({ jwt: { ...jwt, clockToleranceSec: -1 } })[0]).toMatch(/^identity\.jwt\.clockToleranceSec: /);
  expect(problems({ jwt: { ...jwt, jwksUrl: undefined, secret: undefined, jwksUrl2: 'x' } })).toContain('identity.jwt.jwksUrl2: unknown key');
  expect(problems({ jwt: { jwksUrl: 'ftp://idp.example/jwks', issuer: 'i', audience: 'a' } })).toEqual(['identity.jwt.jwksUrl: expected an http(s) URL of a JSON Web Key Set']);
  expect(problems({ jwt: { ...jwt, claims: { role: 'roles' } } })).toEqual(['identity.jwt.claims.role: unknown key']);
  expect(problems({ jwt: { ...jwt, claims: { roles: '' } } })[0]).toMatch(/^identity\.jwt\.claims\.roles: /);
});

test('API keys: the hash format is enforced, and a key pasted by mistake is not repeated', () => {
  const key = 'mgk_the-actual-key-pasted-by-mistake';
  const listed = problems({ apiKeys: [{ id: 'reporting', hash: key }] });
  expect(listed).toEqual([
    'identity.apiKeys.0.hash: expected "sha256:" followed by 64 lower-case hex digits (the SHA-256 of the key, not the key itself)',
  ]);
  expect(problems({ apiKeys: [{ id: 'has space', hash: hashApiKey('k') }] })[0]).toMatch(/^identity\.apiKeys\.0\.id: /);
  expect(problems({ apiKeys: [{ id: 'a', hash: hashApiKey('k'), secret: 'x' }] })).toEqual(['identity.apiKeys.0.secret: unknown key']);
});

test('API keys: duplicate ids and duplicate keys are refused', () => {
  expect(problems({ apiKeys: [{ id: 'a', hash: hashApiKey('k1') }, { id: 'a', hash: hashApiKey('k2') }] })).toEqual([
    'identity.apiKeys.1.id: "a" is already used by apiKeys.0',
  ]);
  expect(problems({ apiKeys: [{ id: 'a', hash: hashApiKey('k1') }, { id: 'b', hash: hashApiKey('k1') }] })).toEqual([
    'identity.apiKeys.1.hash: the same key is already configured as apiKeys.0',
  ]);
  expect(IdentityConfigSchema.parse({ apiKeys: [{ id: 'a', hash: hashApiKey('k1') }] }).apiKeys[0]).toEqual({
    id: 'a',
    hash: hashApiKey('k1'),
    roles: [],
    scopes: [],
    domains: [],
  });
});

test('no config error ever repeats a secret, a key or a hash', () => {
  const secret = 'S3CRET-short';
  const inputs = [
    { jwt: { ...jwt, secret } },
    { jwt: { ...jwt, secret: 42 } },
    { jwt: { ...jwt, sekret: secret } },
    { jwt: { ...jwt, jwksUrl: `not a url ${secret}` } },
    { apiKeys: [{ id: 'a', hash: secret }] },
    { apiKeys: [{ id: 'a', hash: `sha256:${secret}` }] },
  ];
  for (const input of inputs) for (const problem of problems(input)) expect(problem).not.toContain(secret.slice(0, 6));
});

test('development defaults: the public secret unless MESHGATE_JWT_SECRET is set, issuer meshgate-dev, audience meshgate', () => {
  expect(developmentJwtConfig({})).toMatchObject({ secret: DEVELOPMENT_JWT_SECRET, issuer: 'meshgate-dev', audience: 'meshgate', algorithms: ['HS256'] });
  expect(developmentJwtConfig({ MESHGATE_JWT_SECRET: SECRET }).secret).toBe(SECRET);
  // The parsed form is also a valid input, so it can be given to the config loader as a default.
  expect(IdentityConfigSchema.parse({ jwt: developmentJwtConfig({}) }).jwt).toEqual(developmentJwtConfig({}));
});

test('the development secret is flagged as unfit for production', () => {
  expect(productionProblems(IdentityConfigSchema.parse({ jwt: developmentJwtConfig({}) }))).toEqual([
    { path: ['jwt', 'secret'], message: 'the public development secret must not be used in production mode' },
  ]);
  expect(productionProblems(IdentityConfigSchema.parse({ jwt }))).toEqual([]);
});
