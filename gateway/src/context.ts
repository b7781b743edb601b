/**
 * Per-request state, carried on Apollo Server's context (never in module
 * globals). Stages read what earlier stages wrote here.
 */
import type { Principal } from './identity/principal';

export type MeshContext = {
  principal: Principal;
  /** Unique per request; appears in logs and audit records. */
  requestId: string;
  /** Who sent the request, for audit: the apollographql-client-name header or user agent, and the address. */
  client: { name?: string; address?: string };
  /** graphql-shield's per-request rule cache; rules with cache 'contextual' or 'strict' use it. */
  _shield: { cache: Record<string, unknown> };
};
