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
 * - Node's built-in fetch (undici), which keeps connections to each subgraph alive.
 */
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import type { GraphQLError } from 'graphql';
import { meshError } from '../errors';

export type SubgraphRequestOptions = { timeoutMs: number; retries: number; retryDelayMs: number };

const RETRYABLE_STATUS = new Set([502, 503, 504]);
// RemoteGraphQLDataSource serializes `{ query, ...rest }`, so the operation type is at the start of the body.
const MUTATION_BODY = /^\{"query":"\s*mutation\b/;

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export class SubgraphDataSource extends RemoteGraphQLDataSource {
  constructor(readonly name: string, url: string, private readonly options: SubgraphRequestOptions) {
    super({ url });
    this.fetcher = this.fetchWithRetries;
  }

  private fetchWithRetries: Fetcher = async (url: string, init: FetcherRequestInit = {}) => {
    const isMutation = MUTATION_BODY.test(String(init.body ?? ''));
    const attempts = isMutation ? 1 : 1 + this.options.retries;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs * 2 ** (attempt - 2)));
      let response: Response;
      try {
        response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
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
