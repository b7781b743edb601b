/**
 * The `identity` config section: how the Identify stage recognises callers.
 *
 * - `jwt`: bearer tokens in `Authorization: Bearer <jwt>`, verified either
 *   against an identity provider's key set (`jwksUrl`, RS256/ES256) or against a
 *   shared secret (`secret`, HS256, for development). Exactly one of the two.
 * - `apiKeys`: service credentials sent in `x-api-key: <key>` (or
 *   `Authorization: ApiKey <key>`); only the SHA-256 of each key is configured.
 *
 * Contract: strict (unknown keys are errors), every error names the key path
 * and never echoes a secret or a hash (a key pasted by mistake into `hash` must
 * not end up in a log).
 */
import { z } from 'zod';

/** Algorithms the gateway can verify. `none` is not among them, and never will be. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
const ALGORITHMS = [...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS] as const;
export type JwtAlgorithm = (typeof ALGORITHMS)[number];

/** Used when `algorithms` is not given, by kind of key. */
export const DEFAULT_ALGORITHMS = { jwks: ['RS256', 'ES256'], secret: ['HS256'] } as const satisfies Record<string, readonly JwtAlgorithm[]>;

/** Where credentials are read from (lower-case, as node:http gives header names). */
export const AUTHORIZATION_HEADER = 'authorization';
export const API_KEY_HEADER = 'x-api-key';

/**
 * The development secret `npm start` uses in development mode when
 * MESHGATE_JWT_SECRET is not set. Public by design: never accept it in production.
 */
export const DEVELOPMENT_JWT_SECRET = 'meshgate-development-secret-do-not-use-in-production';
export const DEVELOPMENT_ISSUER = 'meshgate-dev';
export const DEVELOPMENT_AUDIENCE = 'meshgate';
/** The claim development service tokens carry (`npm run token -- --service`). */
export const DEVELOPMENT_SERVICE_CLAIM = { name: 'principal_kind', value: 'service' } as const;

const nonEmpty = z.string().trim().min(1);
const oneOrMany = z.union([nonEmpty, z.array(nonEmpty).min(1, { error: 'expected at least one value' })], { error: 'expected a string or a non-empty list of strings' });

/**
 * A claim name, or a dotted path into nested claims (`realm_access.roles`).
 * A claim whose own name contains dots (`https://corp.example/roles`) is found too:
 * the literal name is tried before the path.
 */
const claimPath = nonEmpty;

const JwtClaimsConfig = z
  .object({
    roles: claimPath.default('roles'),
    /** A space-separated string (OAuth's `scope`) or a list. */
    scopes: claimPath.default('scope'),
    domains: claimPath.default('domains'),
    email: claimPath.default('email'),
    /** OIDC's `email_verified`: the email counts only when this claim is `true` (unless `emailVerifiedBy: issuer`). */
    emailVerified: claimPath.default('email_verified'),
  })
  .strict();

/**
 * What makes a JWT principal a service: configuration, never a coincidence of claims (`sub` equal to `azp`
 * says nothing an attacker's client cannot also say). A token is a service when it matches any criterion given.
 */
const JwtServicesConfig = z
  .object({
    /** A claim and the value that marks a service token (e.g. `{ name: "principal_kind", value: "service" }`). */
    claim: z.object({ name: claimPath, value: nonEmpty }).strict().optional(),
    /** Tokens issued for one of these audiences are service tokens (a client-credentials API audience). */
    audience: oneOrMany.optional(),
    /** Tokens from one of these issuers are service tokens (a machine-to-machine issuer). */
    issuer: oneOrMany.optional(),
  })
  .strict()
  .refine((services) => services.claim || services.audience || services.issuer, { error: 'give at least one of claim, audience or issuer' });

export const JwtConfigSchema = z
  .object({
    /** The identity provider's JSON Web Key Set (https, or http for local providers). */
    jwksUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL of a JSON Web Key Set' }).optional(),
    /** Shared HS256 secret, for development and tests; at least 32 characters. */
    secret: z.string({ error: 'expected a string' }).min(32, { error: 'too short: a shared secret needs at least 32 characters' }).optional(),
    /** Accepted `iss` values. */
    issuer: oneOrMany,
    /** Accepted `aud` values (the token must name at least one). */
    audience: oneOrMany,
    /** Accepted `alg` values; by default RS256 and ES256 with jwksUrl, HS256 with secret. */
    algorithms: z.array(z.string()).min(1).optional(),
    /** Seconds of clock skew allowed on `exp` and `nbf`. */
    clockToleranceSec: z.number().int().min(0).max(300).default(30),
    /**
     * A token that verified is trusted again for this long without checking its signature (never past its
     * `exp`): a signature check costs more than the rest of identification. 0: check every time. A key
     * removed from the JWKS stops being trusted at most this much later.
     */
    verifiedTokenCacheSec: z.number().int().min(0).max(3600).default(60),
    /** JWKS fetch: time limit per fetch, and least time between two refetches triggered by an unknown `kid`. */
    jwksTimeoutMs: z.number().int().min(1).default(5000),
    jwksCooldownMs: z.number().int().min(0).default(30_000),
    /** Where roles, scopes, domains and email are found in the token. */
    claims: JwtClaimsConfig.default(JwtClaimsConfig.parse({})),
    /**
     * Who vouches for the email claim. `claim` (default): only an email whose `email_verified` claim is true is
     * part of the principal; an unverified email is not an identity. `issuer`: every email this issuer signs is
     * verified (a corporate directory that issues no `email_verified`).
     */
    emailVerifiedBy: z.enum(['claim', 'issuer']).default('claim'),
    /** Which tokens are services; without it, every JWT principal is a user (API keys are always services). */
    services: JwtServicesConfig.optional(),
  })
  .strict()
  .superRefine((jwt, ctx) => {
    if (!jwt.jwksUrl === !jwt.secret) {
      ctx.addIssue({
        code: 'custom',
        path: jwt.jwksUrl ? ['secret'] : [],
        message: jwt.jwksUrl ? 'give either jwksUrl or secret, not both' : 'give either jwksUrl (an identity provider) or secret (development)',
      });
      return;
    }
    const allowed: readonly string[] = jwt.jwksUrl ? ASYMMETRIC_ALGORITHMS : SYMMETRIC_ALGORITHMS;
    jwt.algorithms?.forEach((alg, i) => {
      if (alg.toLowerCase() === 'none') {
        ctx.addIssue({ code: 'custom', path: ['algorithms', i], message: '"none" (unsigned tokens) is never accepted' });
      } else if (!allowed.includes(alg)) {
        const kind = jwt.jwksUrl ? 'jwksUrl (public keys)' : 'secret (a shared key)';
        ctx.addIssue({ code: 'custom', path: ['algorithms', i], message: `"${alg.slice(0, 20)}" cannot be used with ${kind}; expected one of ${allowed.join(', ')}` });
      }
    });
  })
  .transform((jwt) => ({
    ...jwt,
    algorithms: (jwt.algorithms ?? [...(jwt.jwksUrl ? DEFAULT_ALGORITHMS.jwks : DEFAULT_ALGORITHMS.secret)]) as JwtAlgorithm[],
  }));

const HASH = /^sha256:[0-9a-f]{64}$/;

const ApiKeyConfig = z
  .object({
    /** Becomes the principal's id (audit logs show it). */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, { error: 'expected letters, digits, ".", "_", ":", "@" or "-" (at most 128)' }),
    /** `sha256:` and the 64 hex digits of the key's SHA-256; `npm run token -- --api-key` prints one. */
    hash: z.string().regex(HASH, { error: 'expected "sha256:" followed by 64 lower-case hex digits (the SHA-256 of the key, not the key itself)' }),
    roles: z.array(nonEmpty).default([]),
    scopes: z.array(nonEmpty).default([]),
    domains: z.array(nonEmpty).default([]),
    description: z.string().optional(),
  })
  .strict();

export const IdentityConfigSchema = z
  .object({
    jwt: JwtConfigSchema.optional(),
    apiKeys: z.array(ApiKeyConfig).default([]),
  })
  .strict()
  .superRefine((identity, ctx) => {
    const seenIds = new Map<string, number>();
    const seenHashes = new Map<string, number>();
    identity.apiKeys.forEach((key, i) => {
      if (seenIds.has(key.id)) ctx.addIssue({ code: 'custom', path: ['apiKeys', i, 'id'], message: `"${key.id}" is already used by apiKeys.${seenIds.get(key.id)}` });
      else seenIds.set(key.id, i);
      if (seenHashes.has(key.hash)) ctx.addIssue({ code: 'custom', path: ['apiKeys', i, 'hash'], message: `the same key is already configured as apiKeys.${seenHashes.get(key.hash)}` });
      else seenHashes.set(key.hash, i);
    });
  });

export type IdentityConfig = z.infer<typeof IdentityConfigSchema>;
export type IdentityConfigInput = z.input<typeof IdentityConfigSchema>;
export type JwtConfig = z.infer<typeof JwtConfigSchema>;
export type ApiKeyConfig = IdentityConfig['apiKeys'][number];

/**
 * The `identity.jwt` section for development mode: HS256 with MESHGATE_JWT_SECRET,
 * or DEVELOPMENT_JWT_SECRET when that is not set, issuer "meshgate-dev",
 * audience "meshgate". `npm run token` signs tokens that it accepts.
 */
export function developmentJwtConfig(env: NodeJS.ProcessEnv = process.env): JwtConfig {
  return JwtConfigSchema.parse({
    secret: env.MESHGATE_JWT_SECRET || DEVELOPMENT_JWT_SECRET,
    issuer: DEVELOPMENT_ISSUER,
    audience: DEVELOPMENT_AUDIENCE,
    services: { claim: DEVELOPMENT_SERVICE_CLAIM },
  });
}

/**
 * Problems that make an identity section unfit for production (paths relative to
 * the section, like the schema's). The schema cannot know the mode; the caller can.
 */
export function productionProblems(identity: IdentityConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  if (identity.jwt?.secret === DEVELOPMENT_JWT_SECRET) {
    problems.push({ path: ['jwt', 'secret'], message: 'the public development secret must not be used in production mode' });
  }
  return problems;
}
