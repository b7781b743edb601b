/**
 * Stage 2, Identify: request headers → exactly one Principal.
 *
 * Guarantees:
 * - No credentials → ANONYMOUS. Credentials that are wrong in any way → an
 *   IdentityError (401 UNAUTHENTICATED; 503 IDENTITY_PROVIDER_UNAVAILABLE when
 *   the provider's keys cannot be fetched). Never a silent anonymous.
 * - One credential per request: `Authorization: Bearer <jwt>`, or an API key in
 *   `x-api-key: <key>` or `Authorization: ApiKey <key>`. Two → 401.
 * - JWTs: the algorithm must be one of `jwt.algorithms` (never `none`; an HS
 *   token is never checked against a public key), signature, `iss`, `aud`,
 *   `exp` (required) and `nbf` are checked with `clockToleranceSec` of skew,
 *   and `sub` (required) becomes the principal id.
 * - Kind: a JWT principal is a `service` only when the token matches
 *   `jwt.services` (a claim, an audience or an issuer the operator named);
 *   otherwise a `user`. API keys are always `service`s. A service has no email.
 * - Email: part of the principal only when verified, as OIDC means it: the
 *   `email_verified` claim is true, or the config says the issuer vouches for
 *   every email (`emailVerifiedBy: issuer`). An unverified email is dropped, so
 *   no rule keyed on an email or its domain can be met by claiming one.
 * - Messages never contain a token, key, secret or signature.
 *
 * Must never: read anything but the two headers above, keep per-request state
 * (the identifier is shared by all requests; only the JWKS cache lives in it).
 */
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { ANONYMOUS, type Principal } from './principal';
import { apiKeyMatcher, MAX_API_KEY_LENGTH } from './apiKeys';
import { API_KEY_HEADER, AUTHORIZATION_HEADER, type IdentityConfig, type JwtConfig } from './config';
import { IdentityError } from './errors';

export { IdentityError } from './errors';

export type RequestHeaders = Record<string, string | string[] | undefined>;

export type IdentifierOptions = {
  /** Milliseconds since the epoch; for `exp`/`nbf` checks (tests move the clock). */
  now?: () => number;
  /** Used to fetch the JWKS (tests, proxies). */
  fetch?: typeof fetch;
};

export type Identify = (headers: RequestHeaders) => Promise<Principal>;

type Credential = { kind: 'bearer'; value: string } | { kind: 'api-key'; value: string };

const USAGE = 'use "Authorization: Bearer <token>", "Authorization: ApiKey <key>" or "x-api-key: <key>"';

export function createIdentifier(config: IdentityConfig, options: IdentifierOptions = {}): Identify {
  const now = options.now ?? Date.now;
  const verifyToken = config.jwt ? jwtVerifier(config.jwt, now, options.fetch) : undefined;
  const matchApiKey = apiKeyMatcher(config.apiKeys);

  return async function identify(headers) {
    const credential = readCredential(headers);
    if (!credential) return ANONYMOUS;

    if (credential.kind === 'bearer') {
      if (!verifyToken) throw IdentityError.unauthenticated('bearer_not_accepted', 'bearer tokens are not accepted by this gateway (no identity.jwt is configured); send an API key or no credentials');
      return verifyToken(credential.value);
    }

    if (config.apiKeys.length === 0) throw IdentityError.unauthenticated('api_key_not_accepted', 'API keys are not accepted by this gateway (no identity.apiKeys are configured)');
    if (credential.value.length > MAX_API_KEY_LENGTH) throw IdentityError.unauthenticated('malformed_credentials', `the API key is longer than ${MAX_API_KEY_LENGTH} characters`);
    const entry = matchApiKey(credential.value);
    if (!entry) throw IdentityError.unauthenticated('unknown_api_key', 'the API key is not recognised (unknown or revoked)');
    return Object.freeze({
      id: entry.id,
      kind: 'service',
      roles: [...entry.roles],
      scopes: [...entry.scopes],
      domains: [...entry.domains],
      authenticatedBy: 'api-key',
    } satisfies Principal);
  };
}

/** One header value, or undefined when absent or blank; a repeated header is an error. */
function header(headers: RequestHeaders, name: string, shownName: string): string | undefined {
  let value: string | string[] | undefined;
  for (const [key, v] of Object.entries(headers)) if (key.toLowerCase() === name && v !== undefined) value = v;
  if (Array.isArray(value)) {
    if (value.length > 1) throw IdentityError.unauthenticated('malformed_credentials', `the ${shownName} header was sent ${value.length} times; send it once`);
    value = value[0];
  }
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function readCredential(headers: RequestHeaders): Credential | undefined {
  const authorization = header(headers, AUTHORIZATION_HEADER, 'Authorization');
  const apiKey = header(headers, API_KEY_HEADER, API_KEY_HEADER);
  if (!authorization) return apiKey ? { kind: 'api-key', value: apiKey } : undefined;

  const match = /^(\S+)(?:\s+(.*))?$/s.exec(authorization)!;
  const scheme = match[1];
  const value = match[2]?.trim();
  const normalized = scheme.toLowerCase();
  if (normalized !== 'bearer' && normalized !== 'apikey') {
    // A lone word may be a pasted token or key: only a scheme-like word is repeated back.
    const looksLikeScheme = value && /^[A-Za-z][A-Za-z0-9-]{0,19}$/.test(scheme);
    throw IdentityError.unauthenticated(
      'unsupported_scheme',
      looksLikeScheme ? `the Authorization scheme "${scheme}" is not supported; ${USAGE}` : `the Authorization header has no scheme; ${USAGE}`,
    );
  }
  const kind = normalized === 'bearer' ? 'bearer' : 'api-key';
  if (apiKey) {
    throw IdentityError.unauthenticated(
      'conflicting_credentials',
      kind === 'bearer' ? 'both a bearer token and an API key were sent; send only one' : 'an API key was sent both in Authorization and in x-api-key; send only one',
    );
  }
  if (!value) throw IdentityError.unauthenticated('malformed_credentials', `the Authorization header says "${kind === 'bearer' ? 'Bearer' : 'ApiKey'}" but carries no ${kind === 'bearer' ? 'token' : 'key'}`);
  if (/\s/.test(value)) throw IdentityError.unauthenticated('malformed_credentials', `the ${kind === 'bearer' ? 'bearer token' : 'API key'} contains whitespace`);
  return { kind, value };
}

/** Bytes of token text kept by the verified-token cache. */
const VERIFIED_TOKENS_MAX_BYTES = 8 * 1024 * 1024;

function jwtVerifier(jwt: JwtConfig, now: () => number, fetchImpl: typeof fetch | undefined) {
  const key: Uint8Array | JWTVerifyGetKey = jwt.secret ? new TextEncoder().encode(jwt.secret) : remoteKeys(jwt, fetchImpl);
  const expected = { issuer: jwt.issuer, audience: jwt.audience };
  // Keyed by the whole token: another token, even one byte apart, is verified from scratch.
  const verified =
    jwt.verifiedTokenCacheSec > 0
      ? new LRUCache<string, { principal: Principal; trustedUntilMs: number }>({ maxSize: VERIFIED_TOKENS_MAX_BYTES, sizeCalculation: (_, token) => token.length })
      : undefined;

  return async (token: string): Promise<Principal> => {
    const known = verified?.get(token);
    if (known && now() < known.trustedUntilMs) return known.principal;
    checkAlgorithm(token, jwt.algorithms);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        algorithms: jwt.algorithms,
        clockTolerance: jwt.clockToleranceSec,
        currentDate: new Date(now()),
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw explainVerificationError(error, expected, jwt.clockToleranceSec, now());
    }
    const principal = principalFromClaims(payload, jwt);
    // Trusted again only while the token itself is valid (exp without the skew tolerance) and only after nbf.
    if (verified && (payload.nbf === undefined || payload.nbf * 1000 <= now())) {
      verified.set(token, { principal, trustedUntilMs: Math.min(now() + jwt.verifiedTokenCacheSec * 1000, payload.exp! * 1000) });
    }
    return principal;
  };
}

/** Reads the header without trusting it, to refuse `none` and unexpected algorithms with a precise message. */
function checkAlgorithm(token: string, algorithms: readonly string[]) {
  const parts = token.split('.');
  if (parts.length === 5) throw IdentityError.unauthenticated('malformed_token', 'the bearer token is an encrypted JWT (JWE); only signed JWTs are accepted');
  if (parts.length !== 3 || parts.some((part, i) => !/^[A-Za-z0-9_-]*$/.test(part) || (i < 2 && part === ''))) {
    throw IdentityError.unauthenticated('malformed_token', 'the bearer token is not a JWT (expected three base64url parts separated by dots)');
  }
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw IdentityError.unauthenticated('malformed_token', "the bearer token's header is not base64url-encoded JSON");
  }
  if (typeof alg !== 'string' || alg === '') throw IdentityError.unauthenticated('malformed_token', 'the token header has no "alg"');
  if (alg.toLowerCase() === 'none') throw IdentityError.unauthenticated('algorithm_not_accepted', 'unsigned tokens (alg "none") are not accepted');
  if (!algorithms.includes(alg)) {
    throw IdentityError.unauthenticated('algorithm_not_accepted', `the token's algorithm "${clip(alg, 20)}" is not accepted; expected ${algorithms.join(' or ')}`);
  }
  if (parts[2] === '') throw IdentityError.unauthenticated('invalid_signature', 'the token has no signature');
}

/** The provider's keys, fetched and cached by jose; fetch failures become 503, unknown keys 401. */
function remoteKeys(jwt: JwtConfig, fetchImpl: typeof fetch | undefined): JWTVerifyGetKey {
  const keySet = createRemoteJWKSet(new URL(jwt.jwksUrl!), {
    timeoutDuration: jwt.jwksTimeoutMs,
    cooldownDuration: jwt.jwksCooldownMs,
    ...(fetchImpl ? { [customFetch]: fetchImpl } : {}),
  });
  return async (protectedHeader, token) => {
    try {
      return await keySet(protectedHeader, token);
    } catch (error) {
      const kid = protectedHeader.kid === undefined ? 'the token names no key id ("kid")' : `key id "${clip(String(protectedHeader.kid), 64)}"`;
      if (error instanceof errors.JWKSNoMatchingKey) {
        throw IdentityError.unauthenticated('unknown_signing_key', `no signing key of the identity provider matches the token (${kid}); it was signed by another issuer or with a retired key`, error);
      }
      if (error instanceof errors.JWKSMultipleMatchingKeys) {
        throw IdentityError.unauthenticated('unknown_signing_key', `several signing keys of the identity provider match the token (${kid}); the token must name its key`, error);
      }
      if (error instanceof errors.JOSENotSupported || error instanceof errors.JOSEAlgNotAllowed) throw error;
      throw IdentityError.providerUnavailable(`the identity provider's signing keys could not be fetched (${whyUnreachable(error, jwt.jwksTimeoutMs)}); try again shortly`, error);
    }
  };
}

function whyUnreachable(error: unknown, timeoutMs: number): string {
  if (error instanceof errors.JWKSTimeout) return `no answer within ${timeoutMs} ms`;
  if (error instanceof errors.JWKSInvalid) return 'the answer is not a JSON Web Key Set';
  if (error instanceof errors.JOSEError) return /200 OK/.test(error.message) ? 'it did not answer 200 OK' : 'the answer is not a JSON Web Key Set';
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' ? `connection failed: ${code}` : 'connection failed';
}

function explainVerificationError(
  error: unknown,
  expected: { issuer: string | string[]; audience: string | string[] },
  toleranceSec: number,
  nowMs: number,
): Error {
  if (error instanceof IdentityError) return error;
  const tolerance = `clock tolerance ${toleranceSec} s`;
  if (error instanceof errors.JWTExpired) {
    const exp = Number(error.payload.exp);
    return IdentityError.unauthenticated('token_expired', `the token expired at ${isoTime(exp)} (${duration(nowMs / 1000 - exp)} ago; ${tolerance})`, error);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason, payload } = error;
    if (reason === 'missing') {
      const what: Record<string, string> = { exp: 'expiry; tokens that never expire are not accepted', iss: 'issuer', aud: 'audience' };
      return IdentityError.unauthenticated('missing_claim', `the token has no "${claim}" claim (${what[claim] ?? 'required'})`, error);
    }
    if (reason === 'check_failed' && claim === 'nbf') {
      const nbf = Number(payload.nbf);
      return IdentityError.unauthenticated('token_not_yet_valid', `the token is not valid before ${isoTime(nbf)} (${duration(nbf - nowMs / 1000)} from now; ${tolerance})`, error);
    }
    if (reason === 'check_failed' && claim === 'iss') {
      return IdentityError.unauthenticated('wrong_issuer', `the token's issuer ${shown(payload.iss)} is not accepted; expected ${oneOf(expected.issuer)}`, error);
    }
    if (reason === 'check_failed' && claim === 'aud') {
      return IdentityError.unauthenticated('wrong_audience', `the token's audience ${shown(payload.aud)} is not accepted; expected ${oneOf(expected.audience)}`, error);
    }
    return IdentityError.unauthenticated('invalid_claim', `the token's claims are invalid: ${error.message}`, error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return IdentityError.unauthenticated('invalid_signature', "the token's signature does not verify: it was signed with another key or altered after signing", error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return IdentityError.unauthenticated('algorithm_not_accepted', `the token cannot be verified: ${error.message}`, error);
  }
  if (error instanceof errors.JOSEError) {
    return IdentityError.unauthenticated('malformed_token', `the token is malformed: ${error.message}`, error);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** A claim by name, or by dotted path into nested objects when no claim has that literal name. */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let node: unknown = payload;
  for (const part of path.split('.')) {
    if (!node || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A list claim: absent → [], a string → split on whitespace (OAuth's `scope`), a list of strings → itself. */
function listClaim(payload: JWTPayload, path: string): string[] {
  const value = claimAt(payload, path);
  if (value === undefined || value === null) return [];
  const items = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) && value.every((item) => typeof item === 'string') ? value.map((item) => item.trim()) : undefined;
  if (!items) throw IdentityError.unauthenticated('invalid_claim', `the token's "${path}" claim must be a string or a list of strings, got ${Array.isArray(value) ? 'a list with non-strings' : typeof value}`);
  return [...new Set(items.filter(Boolean))];
}

/** Whether the operator's `jwt.services` marks this token as a service's. */
function isServiceToken(payload: JWTPayload, services: JwtConfig['services']): boolean {
  if (!services) return false;
  const among = (value: unknown, accepted: string | string[] | undefined) => {
    if (accepted === undefined) return false;
    const acceptedList = Array.isArray(accepted) ? accepted : [accepted];
    return (Array.isArray(value) ? value : [value]).some((item) => typeof item === 'string' && acceptedList.includes(item));
  };
  return (services.claim !== undefined && claimAt(payload, services.claim.name) === services.claim.value) || among(payload.aud, services.audience) || among(payload.iss, services.issuer);
}

function principalFromClaims(payload: JWTPayload, jwt: Pick<JwtConfig, 'claims' | 'emailVerifiedBy' | 'services'>): Principal {
  const { claims } = jwt;
  if (payload.sub === undefined) throw IdentityError.unauthenticated('missing_claim', 'the token has no "sub" claim (the subject, which becomes the principal id)');
  if (typeof payload.sub !== 'string' || payload.sub.trim() === '') throw IdentityError.unauthenticated('invalid_claim', 'the token\'s "sub" claim must be a non-empty string');
  const email = claimAt(payload, claims.email);
  if (email !== undefined && email !== null && typeof email !== 'string') {
    throw IdentityError.unauthenticated('invalid_claim', `the token's "${claims.email}" claim (email) must be a string, got ${typeof email}`);
  }
  const service = isServiceToken(payload, jwt.services);
  const verified = jwt.emailVerifiedBy === 'issuer' || claimAt(payload, claims.emailVerified) === true;
  const verifiedEmail = email && verified && !service ? email : undefined;
  return Object.freeze({
    id: payload.sub,
    kind: service ? 'service' : 'user',
    ...(verifiedEmail ? { email: verifiedEmail } : {}),
    // Frozen all the way down: a verified principal is shared by every request that carries its token.
    roles: Object.freeze(listClaim(payload, claims.roles)) as string[],
    scopes: Object.freeze(listClaim(payload, claims.scopes)) as string[],
    domains: Object.freeze(listClaim(payload, claims.domains)) as string[],
    authenticatedBy: 'jwt',
  } satisfies Principal);
}

function clip(text: string, max: number): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

function shown(value: unknown): string {
  return value === undefined ? '(none)' : clip(JSON.stringify(value) ?? String(value), 120);
}

function oneOf(values: string | string[]): string {
  return (Array.isArray(values) ? values : [values]).map((value) => JSON.stringify(value)).join(' or ');
}

function isoTime(epochSeconds: number): string {
  return Number.isFinite(epochSeconds) ? new Date(epochSeconds * 1000).toISOString() : 'an invalid time';
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}
