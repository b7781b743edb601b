/**
 * Credentials of a streaming connection. A browser cannot set headers on a
 * WebSocket, so graphql-ws clients send them in connection_init's payload
 * (`{ "Authorization": "Bearer …" }` or `{ "x-api-key": "…" }`); other clients
 * may send them as headers of the upgrade request. One or the other, never
 * both mixed: when the payload names any credential, only the payload counts.
 *
 * The expiry of a verified bearer token is read here so that its
 * subscriptions end when it does (identify.ts has already checked it).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { decodeJwt } from 'jose';
import type { RequestHeaders } from '../identity/identify';

const CREDENTIAL_KEYS = ['authorization', 'x-api-key'];

export function credentialHeaders(connectionParams: Record<string, unknown> | undefined, upgradeHeaders: IncomingHttpHeaders): RequestHeaders {
  const fromParams: RequestHeaders = {};
  for (const [key, value] of Object.entries(connectionParams ?? {})) {
    if (CREDENTIAL_KEYS.includes(key.toLowerCase()) && typeof value === 'string') fromParams[key.toLowerCase()] = value;
  }
  if (Object.keys(fromParams).length) return fromParams;
  const fromHeaders: RequestHeaders = {};
  for (const key of CREDENTIAL_KEYS) if (upgradeHeaders[key] !== undefined) fromHeaders[key] = upgradeHeaders[key];
  return fromHeaders;
}

/** When the bearer token in these (verified) headers expires, in ms since the epoch; undefined for API keys and anonymous. */
export function credentialExpiry(headers: RequestHeaders): number | undefined {
  const authorization = headers.authorization;
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = value && /^Bearer\s+(\S+)$/i.exec(value);
  if (!match) return undefined;
  try {
    const { exp } = decodeJwt(match[1]);
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
