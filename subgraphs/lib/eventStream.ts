/**
 * A subscription's source of events in a subgraph: the domain's NOTIFY channel
 * (events.sql) as an async iterator of the changes one subscriber asked for.
 *
 * Guarantees: LISTENing has begun when `subscribe` resolves, so every change
 * committed after it is seen; events come in commit order; the queue of events
 * its reader has not taken is bounded (`maxQueued`): a reader that falls that
 * far behind gets an error that ends its stream (the gateway reads at once
 * into its own bounded buffer, so this only trips when the gateway stalls).
 *
 * Must never: queue without bound, keep its listener after the stream ends
 * (return() and the error both stop it), or go on after its database
 * connection failed (changes committed meanwhile would be a gap nobody sees:
 * the stream ends with EVENTS_INTERRUPTED instead).
 */
import { GraphQLError } from 'graphql';
import type { Db } from './db';

export type ChangeEvent<TRow> = { op: 'INSERT' | 'UPDATE'; table: string; row: TRow };

export type EventStreamOptions<TRow, TValue> = {
  channel: string;
  /** Turns a change into the value to deliver, or undefined to skip it (filters); may read the database. */
  select(event: ChangeEvent<TRow>): TValue | undefined | Promise<TValue | undefined>;
  /** Changes queued for a reader that has not taken them (5000 by default: one commit may change thousands of rows). */
  maxQueued?: number;
};

export async function subscribeToChanges<TRow, TValue>(db: Db, options: EventStreamOptions<TRow, TValue>): Promise<AsyncIterableIterator<TValue>> {
  const maxQueued = options.maxQueued ?? 5000;
  const queue: Promise<TValue | undefined>[] = [];
  let waiting: (() => void) | undefined;
  let failure: Error | undefined;
  let done = false;
  const stop = await db.listen(options.channel, (payload) => {
    if (done) return;
    if (queue.length >= maxQueued) {
      failure = new GraphQLError(`The subscriber fell ${maxQueued} events behind; resubscribe`, { extensions: { code: 'SLOW_CONSUMER' } });
      void finish();
    } else {
      let event: ChangeEvent<TRow>;
      try {
        event = JSON.parse(payload) as ChangeEvent<TRow>;
      } catch {
        return;
      }
      // Selected in arrival order: a select that reads the database keeps its place in the queue.
      queue.push(Promise.resolve(options.select(event)).catch(() => undefined));
    }
    waiting?.();
  }, (error) => {
    // The database connection that carried the events failed: changes until it is back would be missed unseen.
    failure = new GraphQLError(`The events of this subscription were interrupted (${error.message}); changes may have been missed: resubscribe`, { extensions: { code: 'EVENTS_INTERRUPTED' } });
    void finish();
  });
  const finish = async () => {
    done = true;
    queue.splice(0);
    waiting?.();
    await stop();
  };
  const iterator: AsyncIterableIterator<TValue> = {
    async next(): Promise<IteratorResult<TValue>> {
      for (;;) {
        if (failure) {
          const error = failure;
          failure = undefined;
          throw error;
        }
        if (done) return { done: true, value: undefined };
        const next = queue.shift();
        if (next) {
          const value = await next;
          if (value !== undefined) return { done: false, value };
          continue;
        }
        await new Promise<void>((resolve) => (waiting = resolve));
        waiting = undefined;
      }
    },
    async return() {
      await finish();
      return { done: true, value: undefined };
    },
    async throw(error) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
