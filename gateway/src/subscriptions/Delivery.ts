/**
 * The queue between a subscription and its transport (graphql-ws or
 * graphql-sse), read as an async iterator. Both transports pull the next
 * event only once the previous one was written out to the socket, so what
 * waits here is exactly what the consumer has not taken yet.
 *
 * Guarantees:
 * - bounded: at most `capacity` events wait, plus the one final message. The
 *   policy is stated and never silent: `offer` answers false when the queue
 *   is full, and the subscription then ends with SLOW_CONSUMER (a client that
 *   missed events must know it, rather than get a gap it cannot see);
 * - a final message (why the subscription ended) always gets a place, after
 *   the events already queued;
 * - the consumer's return() (client unsubscribed or disconnected) is told to
 *   `onReturn` once, and the queue is dropped.
 *
 * Must never: grow beyond capacity + 1, or deliver after it ended.
 */
import type { ExecutionResult } from 'graphql';

export class Delivery implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: { result: ExecutionResult; offeredAt: number }[] = [];
  private waiter?: (value: IteratorResult<ExecutionResult>) => void;
  private ended = false;
  private final?: ExecutionResult;

  constructor(
    private readonly capacity: number,
    private readonly onReturn: () => void,
    /** Told, when the consumer takes an event, how long it waited here (ms). */
    private readonly onTaken: (waitedMs: number) => void = () => undefined,
  ) {}

  get waiting(): number {
    return this.queue.length;
  }

  /** Queues an event; false when the queue is full (the consumer is too slow) or the delivery ended. */
  offer(result: ExecutionResult, offeredAt = performance.now()): boolean {
    if (this.ended) return false;
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      this.onTaken(performance.now() - offeredAt);
      waiter({ done: false, value: result });
      return true;
    }
    if (this.queue.length >= this.capacity) return false;
    this.queue.push({ result, offeredAt });
    return true;
  }

  /** Ends the delivery: events already queued are still delivered, then `final` (when given), then done. */
  end(final?: ExecutionResult) {
    if (this.ended) return;
    this.ended = true;
    this.final = final;
    if (this.waiter && !this.queue.length) this.flushEnd();
  }

  /** Ends at once, dropping what waits (the consumer is too slow to take it): only `final` is still delivered. */
  abandon(final: ExecutionResult) {
    this.queue.splice(0);
    this.end(final);
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const first = this.queue.shift();
    if (first) {
      this.onTaken(performance.now() - first.offeredAt);
      return Promise.resolve({ done: false, value: first.result });
    }
    if (this.ended) return Promise.resolve(this.takeFinal());
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    const wasEnded = this.ended;
    this.ended = true;
    this.final = undefined;
    this.queue.splice(0);
    this.flushEnd();
    if (!wasEnded) this.onReturn();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private takeFinal(): IteratorResult<ExecutionResult> {
    const final = this.final;
    this.final = undefined;
    return final ? { done: false, value: final } : { done: true, value: undefined };
  }

  private flushEnd() {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(this.takeFinal());
  }
}
