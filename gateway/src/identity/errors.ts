/**
 * Why a request's credentials were refused, and how that is answered over HTTP.
 *
 * An IdentityError is an HttpError (subgraphs/lib/http.ts), so the front door's
 * generic handling already answers it GraphQL-shaped with the right status;
 * `identityErrorResponse` / `sendIdentityError` add the `WWW-Authenticate`
 * challenge (RFC 6750) for 401s and `Retry-After` for 503s.
 *
 * Contract: messages say what is wrong and what was expected; they never contain
 * a token, a key, a secret or a signature.
 */
import type { ServerResponse } from 'node:http';
import { HttpError, sendJson } from '../../../subgraphs/lib/http';

export const IDENTITY_ERROR_CODES = {
  UNAUTHENTICATED: { status: 401, description: 'Credentials were sent but are not valid: malformed, expired, wrongly signed, for another issuer or audience, or unknown.' },
  IDENTITY_PROVIDER_UNAVAILABLE: { status: 503, description: "The identity provider's signing keys (JWKS) could not be fetched, so the token could not be checked." },
} as const;

export type IdentityErrorCode = keyof typeof IDENTITY_ERROR_CODES;

/** A short, stable, machine-readable reason (in `extensions.reason`), e.g. to refresh a token on `token_expired`. */
export type IdentityErrorReason =
  | 'malformed_credentials'
  | 'unsupported_scheme'
  | 'conflicting_credentials'
  | 'bearer_not_accepted'
  | 'api_key_not_accepted'
  | 'malformed_token'
  | 'algorithm_not_accepted'
  | 'invalid_signature'
  | 'unknown_signing_key'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'invalid_claim'
  | 'unknown_api_key'
  | 'identity_provider_unavailable';

/** RFC 6750 error codes for the challenge: the request itself was wrong, or the token was. */
const INVALID_REQUEST: ReadonlySet<IdentityErrorReason> = new Set(['malformed_credentials', 'unsupported_scheme', 'conflicting_credentials']);

export class IdentityError extends HttpError {
  declare readonly code: IdentityErrorCode;

  constructor(
    readonly reason: IdentityErrorReason,
    message: string,
    options: { code?: IdentityErrorCode; cause?: unknown } = {},
  ) {
    const code = options.code ?? 'UNAUTHENTICATED';
    super(IDENTITY_ERROR_CODES[code].status, code, message);
    this.name = 'IdentityError';
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }

  static unauthenticated(reason: IdentityErrorReason, message: string, cause?: unknown) {
    return new IdentityError(reason, message, { cause });
  }

  static providerUnavailable(message: string, cause?: unknown) {
    return new IdentityError('identity_provider_unavailable', message, { code: 'IDENTITY_PROVIDER_UNAVAILABLE', cause });
  }
}

/** RFC 6750 quoted strings allow printable ASCII except `"` and `\`. */
function challengeText(text: string): string {
  return text.replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

export type IdentityErrorResponse = {
  status: number;
  headers: Record<string, string>;
  body: { errors: [{ message: string; extensions: { code: IdentityErrorCode; reason: IdentityErrorReason } }] };
};

/** The HTTP answer for an IdentityError: status, headers and a GraphQL-shaped body. */
export function identityErrorResponse(error: IdentityError): IdentityErrorResponse {
  const headers: Record<string, string> = {};
  if (error.status === 401) {
    const oauthError = INVALID_REQUEST.has(error.reason) ? 'invalid_request' : 'invalid_token';
    headers['www-authenticate'] = `Bearer realm="meshgate", error="${oauthError}", error_description="${challengeText(error.message)}"`;
  } else if (error.status === 503) {
    headers['retry-after'] = '5';
  }
  return {
    status: error.status,
    headers,
    body: { errors: [{ message: error.message, extensions: { code: error.code, reason: error.reason } }] },
  };
}

export function sendIdentityError(res: ServerResponse, error: IdentityError) {
  const { status, headers, body } = identityErrorResponse(error);
  sendJson(res, status, body, headers);
}
