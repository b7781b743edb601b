/**
 * Development credentials: HS256 tokens that the development `identity.jwt`
 * (developmentJwtConfig) accepts, with the default claim names. For local work
 * and tests only; `npm run token` refuses to run in production.
 */
import { SignJWT } from 'jose';
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, DEVELOPMENT_SERVICE_CLAIM, developmentJwtConfig } from './config';

export type DevelopmentTokenOptions = {
  sub: string;
  email?: string;
  roles?: string[];
  scopes?: string[];
  domains?: string[];
  /** The token's `email_verified` claim (default true: the development provider vouches for the email). */
  emailVerified?: boolean;
  /** Lifetime in seconds (default one hour). */
  ttlSec?: number;
  /** A service token: the development service claim, `client_id` equal to `sub`, no email. */
  service?: boolean;
  /** Defaults: MESHGATE_JWT_SECRET or the development secret, "meshgate-dev", "meshgate". */
  secret?: string;
  issuer?: string;
  audience?: string;
  /** Milliseconds since the epoch. */
  now?: number;
};

export async function signDevelopmentToken(options: DevelopmentTokenOptions): Promise<string> {
  const secret = options.secret ?? developmentJwtConfig().secret!;
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = {};
  if (options.email && !options.service) Object.assign(claims, { email: options.email, email_verified: options.emailVerified ?? true });
  if (options.service) Object.assign(claims, { client_id: options.sub, [DEVELOPMENT_SERVICE_CLAIM.name]: DEVELOPMENT_SERVICE_CLAIM.value });
  if (options.roles?.length) claims.roles = options.roles;
  if (options.scopes?.length) claims.scope = options.scopes.join(' ');
  if (options.domains?.length) claims.domains = options.domains;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(options.issuer ?? DEVELOPMENT_ISSUER)
    .setAudience(options.audience ?? DEVELOPMENT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttlSec ?? 3600))
    .sign(new TextEncoder().encode(secret));
}

/** `90s`, `15m`, `1h`, `7d`, or a number of seconds → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new Error(`expected a duration such as 90s, 15m, 1h or 7d, got "${text}"`);
  return seconds;
}
