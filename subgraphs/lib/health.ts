/**
 * A subgraph's health: whether its database answers. `/health` answers 200
 * only when a trivial `SELECT 1` came back within `timeoutMs`; otherwise 503
 * with the reason, so an orchestrator (and the gateway's `/ready`) can tell a
 * subgraph that is up but cannot serve a single query from a healthy one.
 *
 * Contract:
 * - probes cannot load the database: a result is reused for `cacheMs`, and at
 *   most one `SELECT 1` is outstanding at any time (a probe that arrives while
 *   one runs waits for it, bounded by the timeout, instead of starting another);
 * - it answers within `timeoutMs` even when the database never does (a dead
 *   host, a full pool): a check that times out is reported, and its query is
 *   left to finish or fail on its own, still counting as the one outstanding;
 * - it never throws; the reason never carries the connection string.
 */
import type { ServerResponse } from 'node:http';
import type { Db } from './db';
import { sendJson } from './http';

export type HealthOptions = {
  /** How long the database has to answer `SELECT 1`. */
  timeoutMs?: number;
  /** How long a result is reused, whatever it was. */
  cacheMs?: number;
};

export type HealthVerdict = { healthy: true } | { healthy: false; reason: string };

const DEFAULT_TIMEOUT_MS = 500;
const DEFAULT_CACHE_MS = 1000;

export class DatabaseHealth {
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private last: { verdict: HealthVerdict; at: number } | undefined;
  /** The one `SELECT 1` in flight, if any: null when it succeeded, else its error text. */
  private outstanding: Promise<string | null> | undefined;
  private checks = 0;

  constructor(private readonly db: Pick<Db, 'query'>, options: HealthOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
  }

  /** How many `SELECT 1` were sent (tests prove that probes are cached). */
  get queriesSent(): number {
    return this.checks;
  }

  async check(): Promise<HealthVerdict> {
    if (this.last && Date.now() - this.last.at < this.cacheMs) return this.last.verdict;
    const verdict = await this.probe();
    this.last = { verdict, at: Date.now() };
    return verdict;
  }

  private async probe(): Promise<HealthVerdict> {
    this.outstanding ??= this.selectOne();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`the database did not answer within ${this.timeoutMs} ms`), this.timeoutMs);
    });
    const problem = await Promise.race([this.outstanding, timedOut]);
    clearTimeout(timer);
    return problem === null ? { healthy: true } : { healthy: false, reason: problem };
  }

  private selectOne(): Promise<string | null> {
    this.checks++;
    const query = Promise.resolve()
      .then(() => this.db.query('SELECT 1'))
      .then(
        () => null,
        (error) => `the database is unreachable: ${describeError(error)}`,
      );
    const outstanding = query.finally(() => {
      if (this.outstanding === outstanding) this.outstanding = undefined;
    });
    return outstanding;
  }
}

/** The error's code and message (pg's and PGlite's messages name the problem, never the URL or password). */
function describeError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const text = message?.trim() || 'unknown error';
  return code && !text.includes(code) ? `${code} ${text}` : text;
}

/** GET /health: 200 `{ status: 'ok' }` or 503 `{ status: 'unhealthy', reason }`, both naming the subgraph. */
export async function sendSubgraphHealth(res: ServerResponse, subgraph: string, health: DatabaseHealth) {
  const verdict = await health.check();
  if (verdict.healthy) return sendJson(res, 200, { status: 'ok', subgraph, database: 'ok' });
  sendJson(res, 503, { status: 'unhealthy', subgraph, database: 'unreachable', reason: verdict.reason }, { 'cache-control': 'no-store' });
}
