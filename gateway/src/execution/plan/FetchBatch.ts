/**
 * The requests of a merged fetch's parts, gathered below the fetch
 * interceptors (entity cache, deduplication) and sent as one request.
 *
 * Each part of a merged fetch goes through the data source on its own, as if
 * it were not merged: the entity cache serves its hits and asks only for its
 * misses, deduplication shares it with an identical part in flight. What
 * reaches the network is handed here instead of being sent: once every part
 * has either been handed over or finished without needing the subgraph (all
 * hits, or answered by a shared fetch), the requests handed over go out as one
 * (rewrites/combineEntityOperations.ts), and each part gets its own answer back (its
 * `_entities`, its errors with their paths as if alone, the HTTP answer for
 * its cache hint).
 *
 * Guarantees: the combined request is sent by the first part's own sender
 * (same data source, same signed principal, retries, timeouts) and selects
 * only what the handed-over requests select; one request alone is sent as it
 * is. A part that is handed over after the batch went out (it waited on
 * something that waited on this batch) is sent on its own: a batch waits at
 * most WAIT_MS after its first request, so two batches can never wait on
 * each other for ever.
 *
 * Must never: change a part's representations or variables, or give a part
 * another part's data or errors.
 */
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { CombinedOperation } from './rewrites/combineEntityOperations';

type Options = GraphQLDataSourceProcessOptions<Record<string, any>>;
type Send = (options: Options) => Promise<GatewayGraphQLResponse>;
type Handed = { part: number; options: Options; send: Send; resolve: (response: GatewayGraphQLResponse) => void; reject: (error: unknown) => void };

/** How long a batch waits for its other parts after the first one is handed over. */
const WAIT_MS = 5;

export class FetchBatch {
  private readonly handed: Handed[] = [];
  private finished = 0;
  private sent = false;
  private timer: NodeJS.Timeout | undefined;

  /** `parts` requests at most; `combine` gives the operation answering the parts handed over (kept with the plan, not built per request). */
  constructor(
    private readonly parts: number,
    private readonly combine: (handed: number[]) => CombinedOperation,
  ) {}

  /** Where part `part` sends what reaches the network (the `via` of SubgraphDataSource.process). */
  via(part: number) {
    return (options: Options, send: Send): Promise<GatewayGraphQLResponse> => {
      if (this.sent) return send(options);
      return new Promise((resolve, reject) => {
        this.handed.push({ part, options, send, resolve, reject });
        this.timer ??= setTimeout(() => this.flush(), WAIT_MS);
        this.flushIfComplete();
      });
    };
  }

  /** Part `part` is done with the data source (answered, served from the cache, or failed). */
  finish(): void {
    this.finished++;
    this.flushIfComplete();
  }

  private flushIfComplete() {
    if (this.handed.length + this.finished >= this.parts) this.flush();
  }

  private flush() {
    if (this.sent) return;
    this.sent = true;
    if (this.timer) clearTimeout(this.timer);
    const handed = this.handed.splice(0).sort((a, b) => a.part - b.part);
    if (handed.length === 0) return;
    if (handed.length === 1) {
      const [only] = handed;
      only.send(only.options).then(only.resolve, only.reject);
      return;
    }
    const combined = this.combine(handed.map(({ part }) => part));
    const variables: Record<string, unknown> = {};
    for (const { options } of handed) {
      const { representations, ...others } = options.request.variables ?? {};
      Object.assign(variables, others);
    }
    handed.forEach(({ options }, i) => (variables[combined.parts[i].representationsVariable] = options.request.variables?.representations));
    const first = handed[0];
    const options = { ...first.options, request: { ...first.options.request, query: combined.operation, operationName: combined.operationName, variables }, document: combined.document } as Options;
    first.send(options).then(
      (response) => handed.forEach((entry, i) => entry.resolve(partOf(response, combined.parts[i].alias, i === 0, new Set(combined.parts.map((part) => part.alias))))),
      (error) => handed.forEach((entry) => entry.reject(error)),
    );
  }
}

/** One part's answer out of the combined one: its `_entities`, its errors (a pathless error goes to the first part). */
function partOf(response: GatewayGraphQLResponse, alias: string, first: boolean, aliases: Set<string>): GatewayGraphQLResponse {
  const errors = (response.errors ?? []).flatMap((error) => {
    const head = error.path?.[0];
    if (head === alias) return [{ ...error, message: error.message, path: ['_entities', ...error.path!.slice(1)] }];
    return first && !(typeof head === 'string' && aliases.has(head)) ? [error] : [];
  });
  const data = response.data == null ? response.data : { _entities: (response.data as Record<string, unknown>)[alias] };
  return { ...response, data, errors: errors.length ? errors : undefined } as GatewayGraphQLResponse;
}
