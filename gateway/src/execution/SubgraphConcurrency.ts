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
 * Only heavy fetches (answers of 32 KiB and more, learned per fetch shape: the
 * same operation text, a body of about the same size) go through the limit.
 * The cost of interleaving grows with the data each fetch holds; a small
 * fetch's latency is mostly round trips and turns of the gateway's own event
 * loop, which Vegas would read as queueing at the subgraph (measured: lookups
 * held at 2 in flight lost 12% of throughput).
 *
 * How: each heavy answer's latency is compared with the fastest answer of the
 * same shape since the last probe (a window at one request in flight, every
 * 30 s, and soon after a new shape appears), so each kind of fetch is judged
 * against its own kind (1,000 entities against 1,000) and a subgraph that got
 * slower is followed. Over a window of answers the average inflation gives the
 * requests queued at the subgraph, in flight × (1 − 1/inflation) (Little's
 * law): fewer than alpha while the limit is in use, one more; more than beta,
 * one fewer.
 *
 * Contract: never more than `max` heavy fetches in flight (nor any fetch: max is
 * the connection pool's size), nor a limit under 1; heavy fetches wait
 * in arrival order; a waiting fetch leaves the queue when its signal aborts
 * (the attempt's timeout covers the wait). A fixed limit applies to every
 * fetch and never changes.
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
 * Vegas's thresholds, in requests estimated queued at the subgraph: 1 and 1.5 at
 * small limits (a single-process subgraph settles at 2 or 3 in flight), growing
 * with the limit's logarithm so that ordinary latency jitter does not hold a
 * scaled subgraph back (with 10% jitter the limit still grows to about 35).
 */
const alpha = (limit: number) => Math.max(1, 2 * Math.log10(limit));
const beta = (limit: number) => Math.max(1.5, 3 * Math.log10(limit));
/** How often latency without queueing is measured again (a window at one request in flight). */
const PROBE_INTERVAL_MS = 30_000;
/** A new shape brings the next probe forward, but probes are at least this far apart. */
const MIN_PROBE_GAP_MS = 2_000;
/** Answers from this size on (characters of JSON) are heavy: their shape's fetches go through the limit. */
const HEAVY_ANSWER_CHARS = 32 * 1024;
/** Shapes remembered per subgraph before the memory is cleared (plans have a bounded set of fetches). */
const MAX_SHAPES = 2000;

/** What is known of one fetch shape: whether its answers are large (until its first answer says, it is), and its least latency since the last probe. */
type ShapeHistory = { heavy: boolean; fastestMs: number; probe: number };

export class SubgraphConcurrency {
  private readonly gate: AdmissionGate;
  private readonly adaptive: boolean;
  private readonly max: number;
  private readonly shapes = new Map<string, ShapeHistory>();
  /** Counts probes: a shape's least latency from before the current one is forgotten. */
  private probes = 0;
  /** While probing, the limit to return to. */
  private resumeLimit: number | null = null;
  private nextProbeAt = 0;
  private lastProbeAt = -Infinity;
  private samples = 0;
  private inflation = 0;
  /** Requests in flight when each sample of the window was sent, summed. */
  private inFlight = 0;
  /** Whether a fetch found every slot taken during this window: only then is a higher limit worth trying. */
  private saturated = false;

  constructor(options: ConcurrencyOptions) {
    this.adaptive = options.mode === 'adaptive';
    this.max = options.max;
    const limit = Math.min(options.mode === 'adaptive' ? INITIAL_LIMIT : options.mode, options.max);
    // The attempt's timeout bounds the wait; the gate's own timer would only duplicate it.
    this.gate = new AdmissionGate({ limit, maxWaiting: options.maxWaiting ?? 10_000, maxWaitMs: Infinity });
  }

  get limit() {
    return this.gate.limit;
  }

  get load() {
    return this.gate.load;
  }

  /** Runs `send`, one request of `query` with a body of `bodyLength` characters: within the limit when answers of its shape are heavy. */
  run<T extends { text: string }>(query: string, bodyLength: number, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!this.adaptive) return this.gate.run(send, signal);
    // A fetch's shape: its operation and, within half an octave, its body's size.
    const history = this.historyOf(`${Math.round(2 * Math.log2(bodyLength))} ${query}`);
    if (!history.heavy) return this.measured(history, 0, send);
    if (this.gate.load.running >= this.gate.limit) this.saturated = true;
    return this.gate.run(() => this.measured(history, this.gate.load.running, send), signal);
  }

  private historyOf(shape: string): ShapeHistory {
    let history = this.shapes.get(shape);
    if (!history) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      this.shapes.set(shape, (history = { heavy: true, fastestMs: Infinity, probe: this.probes }));
    }
    return history;
  }

  /** `inFlight`: requests in flight when this one was sent, itself included; 0 when it was not limited. */
  private async measured<T extends { text: string }>(history: ShapeHistory, inFlight: number, send: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const answer = await send();
    history.heavy = answer.text.length >= HEAVY_ANSWER_CHARS;
    if (inFlight) this.observe(history, inFlight, performance.now() - started);
    return answer;
  }

  private observe(history: ShapeHistory, inFlight: number, latencyMs: number) {
    if (history.probe !== this.probes) Object.assign(history, { fastestMs: Infinity, probe: this.probes });
    const fastest = history.fastestMs;
    history.fastestMs = Math.min(fastest, latencyMs);
    if (fastest === Infinity) {
      // A shape's first answer has nothing to be compared with, and was likely queued: measure it alone soon.
      if (history.heavy && this.resumeLimit === null) this.nextProbeAt = Math.min(this.nextProbeAt, this.lastProbeAt + MIN_PROBE_GAP_MS);
      return;
    }
    this.inflation += Math.max(1, latencyMs / Math.max(fastest, 0.01));
    this.inFlight += inFlight;
    this.samples++;
    const limit = this.gate.limit;
    if (this.samples < Math.max(8, 2 * limit)) return;
    // Little's law over the window: of the requests in flight, the share that latency beyond the fastest says were waiting.
    const queued = (this.inFlight / this.samples) * (1 - this.samples / this.inflation);
    let next = limit;
    if (queued < alpha(limit) && this.saturated && limit < this.max) next = limit + 1;
    else if (queued > beta(limit) && limit > 1) next = limit - 1;
    if (this.resumeLimit !== null) {
      // The probe's window is over: its answers, one at a time, set each shape's least latency.
      next = this.resumeLimit;
      this.resumeLimit = null;
    } else if (Date.now() >= this.nextProbeAt) {
      this.startProbe(next);
      next = 1;
    }
    this.gate.limit = next;
    this.samples = 0;
    this.inflation = 0;
    this.inFlight = 0;
    this.saturated = false;
  }

  /**
   * A window at one request in flight, so that latency without queueing is measured
   * rather than assumed: answers at a steady limit never show it (Envoy's adaptive
   * concurrency does the same). The least latencies start anew from it.
   */
  private startProbe(resumeLimit: number) {
    this.resumeLimit = resumeLimit;
    this.probes++;
    this.lastProbeAt = Date.now();
    this.nextProbeAt = this.lastProbeAt + PROBE_INTERVAL_MS;
  }
}
