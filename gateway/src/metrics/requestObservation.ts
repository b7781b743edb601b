/**
 * What the front door, the Apollo plugin and the subgraph fetches note about
 * one request, for its metrics and its request span; created at the front
 * door (or by the MCP endpoint, per operation a tool runs), reachable from the
 * request's context (MeshContext.observed, one object that Apollo Server's
 * shallow copies of the context share).
 */
import type { Span } from '@opentelemetry/api';

/** How the operation came: a /graphql request, or a tool call at /mcp. */
export type RequestTransport = 'http' | 'mcp';

export type RequestObservation = {
  /** performance.now() when the request arrived. */
  startedAt: number;
  transport: RequestTransport;
  /** The operation's label (operationLabels.ts), once Apollo Server has parsed it; unset for answers given before parsing. */
  operation?: string;
  /** Error codes in the answer (each counted once per request). */
  errorCodes: Set<string>;
  /** Data products whose subgraphs this request fetched from (or served from the entity cache). */
  products: Set<string>;
  /** The request's span, while tracing is on. */
  span?: Span;
};

export const newObservation = (startedAt = performance.now(), transport: RequestTransport = 'http'): RequestObservation => ({ startedAt, transport, errorCodes: new Set(), products: new Set() });

/** Error codes become label values: only SHOUTING_SNAKE_CASE codes up to 40 characters, anything else `OTHER`. */
export const errorCodeLabel = (code: unknown): string => (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(code) ? code : 'OTHER');
