/**
 * Per-request state, carried on Apollo Server's context (never in module
 * globals). Stages read what earlier stages wrote here.
 *
 * Apollo Server hands plugins and the executor a shallow copy of the context
 * it was given, so state that the HTTP front door must see after a request
 * ran lives in objects the copies share (`cache`), never in the context
 * object's own identity.
 */
import type { RequestCacheState } from './cache/MeshCache';
import type { Principal } from './identity/principal';
import type { RequestObservation } from './metrics/requestObservation';

export type MeshContext = {
  principal: Principal;
  /** Unique per request; appears in logs and audit records. */
  requestId: string;
  /** Who sent the request, for audit: the apollographql-client-name header or user agent, and the address. */
  client: { name?: string; address?: string };
  /** graphql-shield's per-request rule cache; rules with cache 'contextual' or 'strict' use it. */
  _shield: { cache: Record<string, unknown> };
  /** The request's cache state (cache/MeshCache.ts), created on first use. */
  cache: { state?: RequestCacheState };
  /** The MCP tool this operation runs for (mcp/), so its denials and limits are audited with the tool's name. */
  tool?: string;
  /** What the request's metrics and span are made of (metrics/requestObservation.ts); set by the HTTP front door. */
  observed?: RequestObservation;
};
