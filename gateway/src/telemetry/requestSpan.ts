/**
 * The span of one /graphql request (`POST /graphql`, kind SERVER), or of one
 * MCP message (`POST /mcp`, whose tool calls run operations inside it), the
 * root of the gateway's part of its trace, and the decision whose trace it joins.
 *
 * A client's W3C `traceparent` becomes the parent only when the principal is
 * trusted (tracing.propagation: service principals, or listed principal ids).
 * Anyone else's request starts a new trace with a link to the span the client
 * named: the client's trace can still find it, but a client can never choose
 * the trace id the gateway and the subgraphs record, attach its requests to
 * another trace, or force them to be sampled. Credentials are judged before
 * the span starts (it starts at the request's arrival time all the same), so
 * a request with bad credentials is never trusted.
 *
 * Attributes: HTTP method, path, status; the request id; the principal's
 * kind (never its id or email); the operation's type and bounded label;
 * whether the traceparent was trusted. Never the document, variables or data.
 */
import type { IncomingMessage } from 'node:http';
import { markFailed, remoteParentOf, ROOT, SpanKind, startSpan, tracingActive, type Span } from '../../../subgraphs/lib/telemetry/spans';
import type { Principal } from '../identity/principal';
import type { TracingConfig } from './config';

/** Whether this principal's traceparent is continued. */
export function trustsTraceparent(principal: Principal | undefined, propagation: TracingConfig['propagation']): boolean {
  if (!principal || principal.kind === 'anonymous') return false;
  if (propagation.trustedPrincipals.includes(principal.id)) return true;
  return propagation.trustServicePrincipals && principal.kind === 'service';
}

/**
 * Starts the request's span (undefined while tracing is off). `principal` is undefined when
 * the credentials were refused; `arrivedAt` is the epoch time in ms the request arrived; `path` is the route's.
 */
export function startRequestSpan(req: IncomingMessage, principal: Principal | undefined, requestId: string, propagation: TracingConfig['propagation'], arrivedAt: number, path = '/graphql'): Span | undefined {
  if (!tracingActive()) return undefined;
  const remote = remoteParentOf(req.headers);
  const trusted = !!remote.spanContext && trustsTraceparent(principal, propagation);
  return startSpan(`${req.method ?? 'POST'} ${path}`, {
    kind: SpanKind.SERVER,
    startTime: arrivedAt,
    parent: trusted ? remote.context : ROOT,
    links: !trusted && remote.spanContext ? [{ context: remote.spanContext, attributes: { 'meshgate.link': 'client traceparent (untrusted)' } }] : undefined,
    attributes: () => ({
      'http.request.method': req.method ?? 'POST',
      'url.path': path,
      'meshgate.request_id': requestId,
      'meshgate.principal.kind': principal?.kind ?? 'refused',
      'meshgate.traceparent': remote.spanContext ? (trusted ? 'trusted' : 'untrusted') : 'none',
    }),
  });
}

/** Ends the request's span with what is known when the last byte is sent. */
export function endRequestSpan(span: Span | undefined, status: number, operation: string | undefined, errorCodes: Iterable<string>) {
  if (!span) return;
  span.setAttribute('http.response.status_code', status);
  if (operation) span.setAttribute('graphql.operation.name', operation);
  const codes = [...errorCodes];
  if (codes.length) span.setAttribute('meshgate.error_codes', codes);
  if (status >= 500) markFailed(span, `HTTP ${status}`);
  span.end();
}
