/**
 * The subgraphs' data-product statuses, fetched on demand with a short time to
 * live and a timeout, so the catalog and /metrics stay cheap and a slow or
 * unreachable subgraph costs at most one timeout per `ttlMs`.
 *
 * Contract: get() never throws; an unreachable subgraph answers
 * `{ ok: false, reason }` (the catalog shows it as unknown); concurrent callers
 * share one request.
 */
import { fetchDataProductStatus, type Fetched, type FetchedStatus, type SubgraphClientOptions } from '../supergraph/subgraphClient';

export type StatusCacheOptions = SubgraphClientOptions & { ttlMs: number };

type Entry = { at: number; url: string; result: Promise<Fetched<FetchedStatus>> };

export class StatusCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: StatusCacheOptions, private readonly now = () => Date.now()) {}

  get(subgraph: string, url: string): Promise<Fetched<FetchedStatus>> {
    const entry = this.entries.get(subgraph);
    if (entry && entry.url === url && this.now() - entry.at < this.options.ttlMs) return entry.result;
    const result = fetchDataProductStatus(subgraph, url, this.options);
    this.entries.set(subgraph, { at: this.now(), url, result });
    return result;
  }

  /** Forgets a subgraph's status (after a quality run), so the next get() asks again. */
  invalidate(subgraph: string) {
    this.entries.delete(subgraph);
  }
}
