/**
 * How many requests the gateway keeps in flight to one subgraph. Adaptive (the
 * default), it finds from the subgraph's own latency how much concurrency the
 * subgraph can use, with TCP Vegas's rule as Netflix's concurrency-limits
 * applies it to services: keep a small number of requests queued at the
 * subgraph, enough that it never idles, no more.
 *
 * Why: past what keeps a subgraph busy, more requests at once do not finish
 * sooner; they interleave in the subgraph and in the gateway, and both pay in
 * memory and garbage collection. Measured (bench/, the 1,000-entity list, 16
 * client connections, 2 cores): with 64 allowed in flight per subgraph the
 * subgraphs spent 35 ms of CPU per gateway request, with 2 they spent 26 ms,
 * throughput rose 20% and p99 fell by a third. A subgraph deployed as many
 * replicas can use many more: the limit grows as long as its latency holds.
 *
 * How: each answer's latency is compared with the fastest recent answer to a
 * fetch of the same shape (the same operation text, a body of about the same
 * size), so one-entity lookups and 1,000-entity lists to the same subgraph are
 * each judged against their own kind. Over a window of answers the average
 * inflation gives the requests queued at the subgraph, limit × (1 − 1/inflation)
 * (Little's law): fewer than alpha while the limit is in use, one more; more
 * than beta, one fewer.
 *
 * Contract: never more than `max` in flight, nor a limit under 1; fetches wait
 * in arrival order; a waiting fetch leaves the queue when its signal aborts
 * (the attempt's timeout covers the wait). A fixed limit never changes.
 */
import { AdmissionGate } from '../../../subgraphs/lib/admission';

export type ConcurrencyOptions = {
  /** `adaptive`, or a fixed number of requests in flight. */
  mode: 'adaptive' | number;
  /** The most in flight (the connection pool's size). */
  max: number;
  /** Requests that may wait for a slot; more fail at once. */
  maxWaiting?: number;
};

const INITIAL_LIMIT = 4;
/**
 * Vegas's thresholds, in requests estimated queued at the subgraph: 1 and 2 at
 * small limits, growing with the limit's logarithm so that a large limit is not
 * held back by ordinary latency jitter (10% jitter at a limit of 40 reads as 3.6 queued).
 */
const alpha = (limit: number) => Math.max(1, 2 * Math.log10(limit));
const beta = (limit: number) => Math.max(2, 4 * Math.log10(limit));
/** How long the fastest answer of a shape is remembered (two halves: a slower subgraph is followed within a minute). */
const FASTEST_WINDOW_MS = 30_000;
/** Shapes remembered per subgraph before the memory is cleared (plans have a bounded set of fetches). */
const MAX_SHAPES = 2000;

/** The least of the samples of the last one to two windows. */
class RecentMinimum {
  private current = Infinity;
  private previous = Infinity;
  private rotatedAt: number;

  constructor(now: number) {
    this.rotatedAt = now;
  }

  /** Adds a sample and returns the minimum before it. */
  add(sample: number, now: number): number {
    if (now - this.rotatedAt > FASTEST_WINDOW_MS) {
      this.previous = this.current;
      this.current = Infinity;
      this.rotatedAt = now;
    }
    const before = Math.min(this.current, this.previous);
    if (sample < this.current) this.current = sample;
    return before;
  }
}

export class SubgraphConcurrency {
  private readonly gate: AdmissionGate;
  private readonly adaptive: boolean;
  private readonly max: number;
  private readonly fastest = new Map<string, RecentMinimum>();
  private samples = 0;
  private inflation = 0;
  /** Whether a fetch found every slot taken during this window: only then is a higher limit worth trying. */
  private saturated = false;

  constructor(options: ConcurrencyOptions) {
    this.adaptive = options.mode === 'adaptive';
    this.max = options.max;
    const limit = options.mode === 'adaptive' ? Math.min(INITIAL_LIMIT, options.max) : Math.min(options.mode, options.max);
    // The attempt's timeout bounds the wait; the gate's own timer would only duplicate it.
    this.gate = new AdmissionGate({ limit, maxWaiting: options.maxWaiting ?? 10_000, maxWaitMs: Infinity });
  }

  get limit() {
    return this.gate.limit;
  }

  get load() {
    return this.gate.load;
  }

  /** Runs `send` (one request of `shape`, e.g. its operation text and body size) within the limit. */
  run<T>(shape: string, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!this.adaptive) return this.gate.run(send, signal);
    if (this.gate.load.running >= this.gate.limit) this.saturated = true;
    return this.gate.run(async () => {
      const started = performance.now();
      const result = await send();
      this.observe(shape, performance.now() - started);
      return result;
    }, signal);
  }

  private observe(shape: string, latencyMs: number) {
    const now = Date.now();
    let fastest = this.fastest.get(shape);
    if (!fastest) {
      if (this.fastest.size >= MAX_SHAPES) this.fastest.clear();
      this.fastest.set(shape, (fastest = new RecentMinimum(now)));
    }
    const before = fastest.add(latencyMs, now);
    // A shape's first answer has nothing to be compared with.
    if (before === Infinity) return;
    this.inflation += Math.max(1, latencyMs / Math.max(before, 0.01));
    this.samples++;
    const limit = this.gate.limit;
    if (this.samples < Math.max(8, 2 * limit)) return;
    const queued = limit * (1 - this.samples / this.inflation);
    if (queued < alpha(limit) && this.saturated && limit < this.max) this.gate.limit = limit + 1;
    else if (queued > beta(limit) && limit > 1) this.gate.limit = limit - 1;
    this.samples = 0;
    this.inflation = 0;
    this.saturated = false;
  }
}
