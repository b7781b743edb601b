/**
 * Signed subgraph requests, shared by the gateway (which signs) and the
 * subgraphs (which verify). A subgraph trusts only the gateway: every request
 * carries the principal the gateway identified and an HMAC-SHA256 over it and
 * the body, so a subgraph can filter rows by principal without re-doing
 * identity, and nobody who can reach a subgraph directly can ask it anything.
 *
 *   x-meshgate-principal: base64url(JSON { id, kind, email?, roles, scopes, domains })
 *   x-meshgate-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<principal header>.<body>">
 *
 * Contract: verification compares in constant time, accepts a timestamp at most
 * `maxSkewSec` (60 s) old or in the future, and returns the principal only when
 * the signature covers it. A captured request can be replayed unchanged within
 * that window (there is no nonce); changing its body or principal breaks the
 * signature. The signature covers the body, not the URL, so signed subgraphs
 * accept POST only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';

export const PRINCIPAL_HEADER = 'x-meshgate-principal';
export const SIGNATURE_HEADER = 'x-meshgate-signature';
export const SIGNING_SECRET_ENV = 'MESHGATE_SIGNING_SECRET';
/**
 * Used when MESHGATE_SIGNING_SECRET is not set in development, so `npm start`
 * works with nothing to configure. It is public, so production refuses it.
 */
export const DEVELOPMENT_SIGNING_SECRET = 'meshgate-development-signing-secret-not-for-production';
export const MIN_PRODUCTION_SECRET_LENGTH = 32;
export const DEFAULT_MAX_SKEW_SEC = 60;

const SignedPrincipalSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['user', 'service', 'anonymous']),
  email: z.string().optional(),
  roles: z.array(z.string()),
  scopes: z.array(z.string()),
  domains: z.array(z.string()),
});

/** What a subgraph learns about who is asking (the gateway's Principal without how it was authenticated). */
export type SignedPrincipal = z.infer<typeof SignedPrincipalSchema>;

export type SignatureFailure =
  | 'missing-signature'
  | 'missing-principal'
  | 'malformed-signature'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'malformed-principal';

export type VerifyResult = { ok: true; principal: SignedPrincipal } | { ok: false; reason: SignatureFailure; message: string };

type Body = string | Uint8Array;
type Headers = Record<string, string | string[] | undefined>;

/** Only the listed fields travel: whatever else a gateway Principal carries stays in the gateway. */
export function encodePrincipal(principal: SignedPrincipal): string {
  const { id, kind, email, roles, scopes, domains } = principal;
  return Buffer.from(JSON.stringify({ id, kind, ...(email !== undefined && { email }), roles, scopes, domains })).toString('base64url');
}

export function decodePrincipal(header: string): SignedPrincipal | null {
  try {
    const parsed = SignedPrincipalSchema.safeParse(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Verified principals by their header: a gateway sends the same few headers (one
 * per caller) over and over, and decoding and validating each costs more than
 * its HMAC. Frozen, because every request with that header shares the object.
 */
const verifiedPrincipals = new LRUCache<string, SignedPrincipal>({ max: 1000 });

function decodeVerifiedPrincipal(header: string): SignedPrincipal | null {
  const known = verifiedPrincipals.get(header);
  if (known) return known;
  const principal = decodePrincipal(header);
  if (!principal) return null;
  for (const list of [principal.roles, principal.scopes, principal.domains]) Object.freeze(list);
  verifiedPrincipals.set(header, Object.freeze(principal));
  return principal;
}

function hmac(secret: string, timestamp: number, principalHeader: string, body: Body): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${principalHeader}.`).update(body).digest();
}

/** The x-meshgate-signature value for a request whose principal header is already encoded. */
export function signatureHeader(options: { principalHeader: string; body: Body; secret: string; now?: number }): string {
  const timestamp = Math.floor((options.now ?? Date.now()) / 1000);
  return `t=${timestamp},v1=${hmac(options.secret, timestamp, options.principalHeader, options.body).toString('hex')}`;
}

/** Both headers for a request on behalf of `principal`. `now` is in milliseconds (Date.now()). */
export function signRequest(options: { principal: SignedPrincipal; body: Body; secret: string; now?: number }): Record<string, string> {
  const principalHeader = encodePrincipal(options.principal);
  return {
    [PRINCIPAL_HEADER]: principalHeader,
    [SIGNATURE_HEADER]: signatureHeader({ principalHeader, body: options.body, secret: options.secret, now: options.now }),
  };
}

const SIGNATURE_FORMAT = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/;

const fail = (reason: SignatureFailure, message: string): VerifyResult => ({ ok: false, reason, message });

/**
 * Checks a request's signature. `headers` as Node gives them (lower-case names);
 * `body` the raw body exactly as received; `now` in milliseconds.
 */
export function verifySignedRequest(options: { headers: Headers; body: Body; secret: string; now?: number; maxSkewSec?: number }): VerifyResult {
  const { headers, body, secret } = options;
  const maxSkewSec = options.maxSkewSec ?? DEFAULT_MAX_SKEW_SEC;
  const signature = headers[SIGNATURE_HEADER];
  const principalHeader = headers[PRINCIPAL_HEADER];
  if (signature === undefined || signature === '') return fail('missing-signature', `missing the ${SIGNATURE_HEADER} header`);
  if (principalHeader === undefined || principalHeader === '') return fail('missing-principal', `missing the ${PRINCIPAL_HEADER} header`);
  const match = typeof signature === 'string' ? SIGNATURE_FORMAT.exec(signature) : null;
  if (!match || typeof principalHeader !== 'string') {
    return fail('malformed-signature', `malformed ${SIGNATURE_HEADER} header (expected one "t=<unix seconds>,v1=<64 hex characters>")`);
  }
  const timestamp = Number(match[1]);
  const expected = hmac(secret, timestamp, principalHeader, body);
  // Authenticity first: only a request the gateway really signed learns whether it came too late.
  if (!timingSafeEqual(expected, Buffer.from(match[2], 'hex'))) {
    return fail('bad-signature', 'the signature does not match the request (another secret, or a changed body or principal)');
  }
  const age = Math.floor((options.now ?? Date.now()) / 1000) - timestamp;
  if (age > maxSkewSec) return fail('stale-timestamp', `the signature is ${age} s old (at most ${maxSkewSec} s is accepted)`);
  if (-age > maxSkewSec) return fail('future-timestamp', `the signature is dated ${-age} s in the future (at most ${maxSkewSec} s is accepted)`);
  const principal = decodeVerifiedPrincipal(principalHeader);
  if (!principal) return fail('malformed-principal', `the ${PRINCIPAL_HEADER} header is not a base64url JSON principal`);
  return { ok: true, principal };
}

/**
 * Why `secret` cannot sign in `mode`, or undefined when it can. Production needs
 * its own secret of at least 32 characters; the message never contains the secret.
 */
export function signingSecretProblem(secret: string | undefined, mode: 'development' | 'production'): string | undefined {
  if (mode !== 'production') return undefined;
  if (!secret) {
    return `${SIGNING_SECRET_ENV} is required in production: a random secret of at least ${MIN_PRODUCTION_SECRET_LENGTH} characters shared by the gateway and every subgraph (for example \`openssl rand -hex 32\`)`;
  }
  if (secret === DEVELOPMENT_SIGNING_SECRET) return `${SIGNING_SECRET_ENV} is the published development default; production needs its own secret`;
  if (secret.length < MIN_PRODUCTION_SECRET_LENGTH) {
    return `${SIGNING_SECRET_ENV} is too short (${secret.length} characters); production needs at least ${MIN_PRODUCTION_SECRET_LENGTH}`;
  }
  return undefined;
}

/** The signing secret from MESHGATE_SIGNING_SECRET; development falls back to DEVELOPMENT_SIGNING_SECRET. */
export function signingSecretFrom(env: NodeJS.ProcessEnv, mode: 'development' | 'production'): string {
  const secret = env[SIGNING_SECRET_ENV] || undefined;
  const problem = signingSecretProblem(secret, mode);
  if (problem) throw new Error(problem);
  return secret ?? DEVELOPMENT_SIGNING_SECRET;
}
