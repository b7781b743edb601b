/**
 * Admission control for one subgraph process: at most `limit` GraphQL
 * operations execute at once, the others wait their turn in arrival order.
 * The gateway uses the same gate, with a limit it adapts, for the requests it
 * keeps in flight to each subgraph (gateway/src/execution/SubgraphConcurrency.ts).
 *
 * Why: a Node process runs one resolver at a time, so operations beyond the few
 * that keep it busy while the database answers do not finish sooner; they
 * interleave, each one holds its rows and partial results for longer, and the
 * garbage collector pays for all of them. Measured on the 1,000-entity list
 * (bench/, 16 connections through meshgate): 35 ms of subgraph CPU per gateway
 * request with up to 16 operations at once, 26 ms with 2. A waiting request
 * costs its buffered body and nothing else.
 *
 * Contract: operations are admitted in arrival order and every admitted one
 * releases its slot whether it succeeds or throws. A request that would wait
 * behind `maxWaiting` others, or longer than `maxWaitMs`, is refused with HTTP
 * 503 (`SUBGRAPH_OVERLOADED`) and a Retry-After header, before any of it runs;
 * the gateway retries queries on 503 and reports the subgraph as unavailable
 * after that, so an overloaded domain degrades to partial data, not to a queue
 * that grows without bound.
 */
import { HttpError } from './http';

export type AdmissionOptions = {
  /** Operations executing at once (at least 1). */
  limit: number;
  /** Requests that may wait for a slot; more are refused at once. */
  maxWaiting?: number;
  /** How long a request may wait for a slot before it is refused. */
  maxWaitMs?: number;
};

type Waiter = { admit: () => void; timer?: NodeJS.Timeout; signal?: AbortSignal; onAbort?: () => void };

export class OverloadedError extends HttpError {
  constructor(message: string) {
    super(503, 'SUBGRAPH_OVERLOADED', message, { 'retry-after': '1' });
  }
}

const checkedLimit = (limit: number) => {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`admission limit: expected an integer of at least 1, got ${limit}`);
  return limit;
};

export class AdmissionGate {
  private currentLimit: number;
  private readonly maxWaiting: number;
  private readonly maxWaitMs: number;
  private running = 0;
  private waiting: Waiter[] = [];

  constructor(options: AdmissionOptions) {
    this.currentLimit = checkedLimit(options.limit);
    this.maxWaiting = options.maxWaiting ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
  }

  get limit() {
    return this.currentLimit;
  }

  /** A new limit; a higher one admits waiting requests at once, a lower one lets running operations finish. */
  set limit(limit: number) {
    this.currentLimit = checkedLimit(limit);
    while (this.running < this.currentLimit && this.waiting.length) {
      this.running++;
      this.admit(this.waiting.shift()!);
    }
  }

  /** Operations executing now and requests waiting for a slot. */
  get load() {
    return { running: this.running, waiting: this.waiting.length };
  }

  /**
   * Runs `work` once a slot is free, or throws OverloadedError without running it.
   * An abort of `signal` while waiting leaves the queue and throws the signal's reason.
   */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running < this.currentLimit) this.running++;
    else await this.waitForSlot(signal);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private waitForSlot(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(new OverloadedError(`${this.running} operations are running and ${this.waiting.length} waiting; try again shortly`));
    }
    return new Promise<void>((admit, refuse) => {
      const waiter: Waiter = { admit, signal };
      const leave = (reason: unknown) => {
        this.waiting = this.waiting.filter((other) => other !== waiter);
        this.forget(waiter);
        refuse(reason);
      };
      if (Number.isFinite(this.maxWaitMs)) {
        waiter.timer = setTimeout(() => leave(new OverloadedError(`no operation slot freed within ${this.maxWaitMs} ms; try again shortly`)), this.maxWaitMs);
      }
      if (signal) signal.addEventListener('abort', (waiter.onAbort = () => leave(signal.reason)), { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Hands the slot to the next waiter, or frees it. */
  private release() {
    const next = this.waiting.shift();
    if (next && this.running <= this.currentLimit) this.admit(next);
    else {
      if (next) this.waiting.unshift(next);
      this.running--;
    }
  }

  private admit(waiter: Waiter) {
    this.forget(waiter);
    waiter.admit();
  }

  private forget(waiter: Waiter) {
    clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
  }
}
