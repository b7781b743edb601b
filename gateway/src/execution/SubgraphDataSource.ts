/**
 * How the gateway talks to one subgraph. Every fetch of a query plan, schema
 * loading and health checks go through this data source (@apollo/gateway's
 * GraphQLDataSource interface), which adds what a production mesh needs:
 *
 * - a pool of kept-alive connections per subgraph (undici's Pool and its
 *   `request` API, not fetch: no Request/Response/stream objects per call);
 * - a limit on the requests in flight to the subgraph, adapted to its latency
 *   (SubgraphConcurrency.ts): the others wait here, in arrival order;
 * - a timeout per attempt, so one slow domain cannot hold a whole request;
 * - retries with backoff for queries after a network error or 502/503/504
 *   (never for mutations, which may not be idempotent);
 * - errors that name the subgraph (`SUBGRAPH_UNAVAILABLE`, `SUBGRAPH_TIMEOUT`,
 *   `SUBGRAPH_BAD_RESPONSE`), so the client gets the other domains' data plus
 *   a clear error instead of a failed request;
 * - with a signing key, every request carries the request's principal and the
 *   gateway's Ed25519 signature over it, the exact body sent and this
 *   subgraph's name, with a fresh nonce (subgraphs/lib/signing.ts), re-signed
 *   on each attempt: it is valid once, for this subgraph only. Without a
 *   principal on the context (schema loading, or no identity stage) it is the
 *   anonymous principal: never more rights than the request has;
 * - the subgraph's Cache-Control hint restricts the request's cache policy,
 *   as @apollo/gateway's RemoteGraphQLDataSource does;
 * - an optional FetchInterceptor around every fetch, where the entity cache
 *   and fetch deduplication plug in (gateway/src/cache/entityCache.ts), and
 *   the fetch metrics and span (metrics/measureFetches.ts, telemetry/traceFetches.ts);
 * - with tracing on, the W3C `traceparent` of the fetch's span, so the
 *   subgraph's spans join the request's trace.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Pool as PoolType } from 'undici';
import { encodePrincipal, PRINCIPAL_HEADER, requestSignerFor, SIGNATURE_HEADER, type RequestSigner } from '../../../subgraphs/lib/signing';
import type { MeshContext } from '../context';
import { meshError } from '../errors';
import { ANONYMOUS } from '../identity/principal';
import { hintFromCacheControl } from '../cache/cachePolicy';
import { SubgraphConcurrency } from './SubgraphConcurrency';
import { injectTraceContext } from '../../../subgraphs/lib/telemetry/spans';

// Only the connection pool and its request method (undici is pinned): undici's index also loads fetch, WebSocket,
// caches and mocks, about 3 MB more heap in every gateway process.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Pool: typeof PoolType = require('undici/lib/dispatcher/pool');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const poolRequest: PoolType['request'] = require('undici/lib/api/api-request');

export type SubgraphRequestOptions = {
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  /** Kept-alive connections per subgraph, the most requests in flight to it; 64 when not given. */
  connectionsPerSubgraph?: number;
  /** Requests in flight per subgraph: adapted to its latency (the default), or a fixed number. */
  concurrency?: 'adaptive' | number;
  /** Signs every request with this Ed25519 private key (PEM or JWK text), whose public key the subgraphs hold; unsigned without one. */
  signingKey?: string;
};

type Options = GraphQLDataSourceProcessOptions<Record<string, any>>;

/**
 * Wraps every fetch this data source makes (the entity cache and in-flight
 * deduplication plug in here); `send` performs the fetch itself.
 */
export type FetchInterceptor = (subgraph: string, options: Options, send: (options: Options) => Promise<GatewayGraphQLResponse>) => Promise<GatewayGraphQLResponse>;

/** The part of a fetch Response that the gateway's stages read from `response.http`. */
export type SubgraphHttp = { status: number; headers: { get(name: string): string | null } };

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

const RETRYABLE_STATUS = new Set([502, 503, 504]);
const MUTATION = /^\s*mutation\b/;
const JSON_TYPE = /^application\/(graphql-response\+)?json/;

class AttemptTimeout extends Error {}

function describeNetworkError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ?? message ?? String(error);
}

export class SubgraphDataSource implements GraphQLDataSource<Record<string, any>> {
  private readonly pool: PoolType;
  private readonly path: string;
  /** The key imported once per process, not per request. */
  private readonly signer?: RequestSigner;
  readonly concurrency: SubgraphConcurrency;

  constructor(readonly name: string, readonly url: string, private readonly options: SubgraphRequestOptions, private readonly intercept?: FetchInterceptor) {
    const target = new URL(url);
    this.path = `${target.pathname}${target.search}`;
    this.signer = options.signingKey ? requestSignerFor(options.signingKey) : undefined;
    const connections = options.connectionsPerSubgraph ?? 64;
    this.pool = new Pool(target.origin, { connections, keepAliveTimeout: 30_000 });
    this.concurrency = new SubgraphConcurrency({ mode: options.concurrency ?? 'adaptive', max: connections });
  }

  /**
   * `via`, when given, is handed what would reach the network instead of sending it (with the sender to
   * use): a merged fetch gathers its parts' requests there, below the interceptors (plan/FetchBatch.ts).
   */
  process(options: Options, via?: (options: Options, send: (options: Options) => Promise<GatewayGraphQLResponse>) => Promise<GatewayGraphQLResponse>): Promise<GatewayGraphQLResponse> {
    const send = (sent: Options) => this.send(sent);
    const out = via ? (sent: Options) => via(sent, send) : send;
    if (!this.intercept) return out(options);
    return this.intercept(this.name, options, out);
  }

  /** Closes the kept-alive connections (the gateway is stopping, or the supergraph dropped this subgraph). */
  close(): Promise<void> {
    return this.pool.close();
  }

  private async send(options: Options): Promise<GatewayGraphQLResponse> {
    const { http: _http, query, ...rest } = options.request;
    if (!query) throw new Error('Missing query');
    const body = JSON.stringify({ query, ...rest });
    const answer = await this.sendWithRetries(query, body, this.headersFor(options), MUTATION.test(query));
    const http: SubgraphHttp = { status: answer.status, headers: { get: (name) => headerValue(answer.headers, name) } };
    if (answer.status < 200 || answer.status > 299) throw this.errorFrom(answer);
    const parsed = this.parse(answer);
    if ('incomingRequestContext' in options) {
      const policy = options.incomingRequestContext.overallCachePolicy;
      if (policy && 'restrict' in policy) policy.restrict(hintFromCacheControl(http.headers.get('cache-control'), 0));
    }
    return { ...parsed, http } as GatewayGraphQLResponse;
  }

  private headersFor(options: Options): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, value] of options.request.http?.headers ?? []) headers[name.toLowerCase()] = value;
    // Always set here, so a principal or signature header from anywhere else can never travel.
    delete headers[PRINCIPAL_HEADER];
    delete headers[SIGNATURE_HEADER];
    if (this.signer) headers[PRINCIPAL_HEADER] = encodePrincipal((options.context as Partial<MeshContext> | undefined)?.principal ?? ANONYMOUS);
    // The request's id travels to every subgraph, so its logs join the gateway's (schema loading and health checks have none).
    const requestId = (options.context as Partial<MeshContext> | undefined)?.requestId;
    if (requestId) headers['x-request-id'] = requestId;
    // The trace context is the gateway's own (the fetch span's), never one copied from elsewhere; none while tracing is off.
    delete headers.traceparent;
    delete headers.tracestate;
    injectTraceContext(headers);
    return headers;
  }

  private async sendWithRetries(query: string, body: string, headers: Record<string, string>, isMutation: boolean): Promise<Answer> {
    const attempts = isMutation ? 1 : 1 + this.options.retries;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs * 2 ** (attempt - 2)));
      let answer: Answer;
      try {
        answer = await this.attempt(query, body, headers);
      } catch (error) {
        if (error instanceof AttemptTimeout) {
          // A timed-out query may still be running; retrying would add load to a struggling subgraph.
          throw meshError('SUBGRAPH_TIMEOUT', `Subgraph "${this.name}" did not answer within ${this.options.timeoutMs} ms`, { subgraph: this.name });
        }
        lastProblem = describeNetworkError(error);
        continue;
      }
      if (RETRYABLE_STATUS.has(answer.status) && attempt < attempts) {
        lastProblem = `HTTP ${answer.status}`;
        continue;
      }
      return answer;
    }
    throw meshError('SUBGRAPH_UNAVAILABLE', `Subgraph "${this.name}" is unavailable: ${lastProblem}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`, { subgraph: this.name });
  }

  /**
   * One request, bounded by the timeout from waiting for a slot to the last byte,
   * and signed once it has a slot (the signature is short-lived and single-use).
   */
  private async attempt(query: string, body: string, headers: Record<string, string>): Promise<Answer> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), this.options.timeoutMs);
    try {
      return await this.concurrency.run(
        query,
        body.length,
        async () => {
          const signed = this.signer
            ? { ...headers, [SIGNATURE_HEADER]: this.signer.signatureHeader({ audience: this.name, principalHeader: headers[PRINCIPAL_HEADER], body }) }
            : headers;
          const response = await poolRequest.call(this.pool, { path: this.path, method: 'POST', headers: signed, body, signal: controller.signal });
          return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
        },
        controller.signal,
      );
    } catch (error) {
      throw controller.signal.aborted ? new AttemptTimeout() : error;
    } finally {
      clearTimeout(timer);
    }
  }

  private parse(answer: Answer): Record<string, unknown> {
    if (JSON_TYPE.test(headerValue(answer.headers, 'content-type') ?? '')) {
      try {
        const parsed = JSON.parse(answer.text) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // reported below as a bad response
      }
    }
    throw meshError('SUBGRAPH_BAD_RESPONSE', `Subgraph "${this.name}" answered HTTP ${answer.status} without a GraphQL response`, { subgraph: this.name, status: answer.status });
  }

  private errorFrom(answer: Answer) {
    if (answer.status >= 500) {
      return meshError('SUBGRAPH_UNAVAILABLE', `Subgraph "${this.name}" is unavailable: HTTP ${answer.status}`, { subgraph: this.name });
    }
    // A 4xx with a GraphQL body (a subgraph rejecting the operation) keeps the subgraph's own message and code.
    const first = (this.parse(answer) as { errors?: { message?: string; extensions?: { code?: string } }[] }).errors?.[0];
    return meshError('SUBGRAPH_BAD_RESPONSE', `Subgraph "${this.name}" rejected the request (HTTP ${answer.status}): ${first?.message ?? 'no message'}`, {
      subgraph: this.name,
      status: answer.status,
      subgraphCode: first?.extensions?.code,
    });
  }
}

function headerValue(headers: Answer['headers'], name: string): string | null {
  const value = headers[name.toLowerCase()];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}
