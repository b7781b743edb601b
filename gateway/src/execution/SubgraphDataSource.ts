/**
 * How the gateway talks to one subgraph. Every fetch of a query plan goes
 * through this data source, which adds what a production mesh needs:
 *
 * - a timeout per attempt, so one slow domain cannot hold a whole request;
 * - retries with backoff for queries after a network error or 502/503/504
 *   (never for mutations, which may not be idempotent);
 * - errors that name the subgraph (`SUBGRAPH_UNAVAILABLE`, `SUBGRAPH_TIMEOUT`,
 *   `SUBGRAPH_BAD_RESPONSE`), so the client gets the other domains' data plus
 *   a clear error instead of a failed request;
 * - Node's built-in fetch (undici), which keeps connections to each subgraph alive;
 * - with a signing secret, every request (operations, schema loading, health
 *   checks) carries the request's principal and an HMAC over it and the exact
 *   body sent (subgraphs/lib/signing.ts), re-signed on each attempt. Without a
 *   principal on the context (schema loading, or no identity stage) it is the
 *   anonymous principal: never more rights than the request has;
 * - an optional FetchInterceptor around every fetch of a query plan, where the
 *   entity cache and fetch deduplication plug in (gateway/src/cache/entityCache.ts).
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import type { GraphQLError } from 'graphql';
import { encodePrincipal, PRINCIPAL_HEADER, SIGNATURE_HEADER, signatureHeader } from '../../../subgraphs/lib/signing';
import type { MeshContext } from '../context';
import { meshError } from '../errors';
import { ANONYMOUS } from '../identity/principal';

export type SubgraphRequestOptions = {
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  /** Signs every request with this HMAC secret, shared with the subgraphs; unsigned without one. */
  signingSecret?: string;
};

/**
 * Wraps every fetch this data source makes (the entity cache and in-flight
 * deduplication plug in here); `send` performs the fetch itself.
 */
export type FetchInterceptor = (
  subgraph: string,
  options: GraphQLDataSourceProcessOptions<Record<string, any>>,
  send: (options: GraphQLDataSourceProcessOptions<Record<string, any>>) => Promise<GatewayGraphQLResponse>,
) => Promise<GatewayGraphQLResponse>;

const RETRYABLE_STATUS = new Set([502, 503, 504]);
// RemoteGraphQLDataSource serializes `{ query, ...rest }`, so the operation type is at the start of the body.
const MUTATION_BODY = /^\{"query":"\s*mutation\b/;

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export class SubgraphDataSource extends RemoteGraphQLDataSource {
  constructor(readonly name: string, url: string, private readonly options: SubgraphRequestOptions, private readonly intercept?: FetchInterceptor) {
    super({ url });
    this.fetcher = this.fetchWithRetries;
  }

  process<TContext extends Record<string, any>>(options: GraphQLDataSourceProcessOptions<TContext>): Promise<GatewayGraphQLResponse> {
    if (!this.intercept) return super.process(options);
    return this.intercept(this.name, options, (intercepted) => super.process(intercepted));
  }

  willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Record<string, any>>) {
    if (!this.options.signingSecret) return;
    // Always set here, so a principal header from anywhere else can never travel.
    request.http!.headers.set(PRINCIPAL_HEADER, encodePrincipal((context as Partial<MeshContext> | undefined)?.principal ?? ANONYMOUS));
  }

  /** The fetcher sees the final body string, so the signature is computed here, fresh for each attempt. */
  private signed(init: FetcherRequestInit): FetcherRequestInit {
    const secret = this.options.signingSecret;
    if (!secret) return init;
    const headers = { ...init.headers };
    const principalHeader = (headers[PRINCIPAL_HEADER] ??= encodePrincipal(ANONYMOUS));
    headers[SIGNATURE_HEADER] = signatureHeader({ principalHeader, body: init.body ?? '', secret });
    return { ...init, headers };
  }

  private fetchWithRetries: Fetcher = async (url: string, init: FetcherRequestInit = {}) => {
    const isMutation = MUTATION_BODY.test(String(init.body ?? ''));
    const attempts = isMutation ? 1 : 1 + this.options.retries;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs * 2 ** (attempt - 2)));
      let response: Response;
      try {
        response = await fetch(url, { ...this.signed(init), signal: AbortSignal.timeout(this.options.timeoutMs) });
      } catch (error) {
        if ((error as Error).name === 'TimeoutError') {
          // A timed-out query may still be running; retrying would add load to a struggling subgraph.
          throw meshError('SUBGRAPH_TIMEOUT', `Subgraph "${this.name}" did not answer within ${this.options.timeoutMs} ms`, { subgraph: this.name });
        }
        lastProblem = describeNetworkError(error);
        continue;
      }
      if (RETRYABLE_STATUS.has(response.status) && attempt < attempts) {
        await response.body?.cancel();
        lastProblem = `HTTP ${response.status}`;
        continue;
      }
      return response as unknown as FetcherResponse;
    }
    throw meshError(
      'SUBGRAPH_UNAVAILABLE',
      `Subgraph "${this.name}" is unavailable: ${lastProblem}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`,
      { subgraph: this.name },
    );
  };

  async parseBody(response: FetcherResponse): Promise<object | string> {
    const contentType = response.headers.get('content-type') ?? '';
    if (/^application\/(graphql-response\+)?json/.test(contentType)) {
      try {
        return await response.json();
      } catch {
        // reported below as a bad response
      }
    }
    throw meshError('SUBGRAPH_BAD_RESPONSE', `Subgraph "${this.name}" answered HTTP ${response.status} without a GraphQL response`, {
      subgraph: this.name,
      status: response.status,
    });
  }

  async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    if (response.status >= 500) {
      return meshError('SUBGRAPH_UNAVAILABLE', `Subgraph "${this.name}" is unavailable: HTTP ${response.status}`, { subgraph: this.name });
    }
    // A 4xx with a GraphQL body (a subgraph rejecting the operation) keeps the subgraph's own message and code.
    const body = (await this.parseBody(response)) as { errors?: { message?: string; extensions?: { code?: string } }[] };
    const first = body.errors?.[0];
    return meshError('SUBGRAPH_BAD_RESPONSE', `Subgraph "${this.name}" rejected the request (HTTP ${response.status}): ${first?.message ?? 'no message'}`, {
      subgraph: this.name,
      status: response.status,
      subgraphCode: first?.extensions?.code,
    });
  }
}
