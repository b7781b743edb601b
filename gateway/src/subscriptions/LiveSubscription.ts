/**
 * One running subscription: reads its subgraph stream, limits the event
 * rate, gathers the events that arrive together into batches, federates each
 * batch (federateEvents.ts) and hands the responses to its Delivery.
 *
 * Guarantees:
 * - events are delivered in the order the subgraph sent them (one batch at a
 *   time);
 * - memory is bounded: events waiting to be federated plus events waiting for
 *   the consumer never exceed `maxBufferedEvents`; past that the subscription
 *   ends with SLOW_CONSUMER (stated policy, Delivery.ts);
 * - the event rate is bounded: events over `maxEventsPerSecond` (a token
 *   bucket holding at most a second of events and at most the buffer) are dropped
 *   before any work is done for them, and the next delivered event carries
 *   `extensions.meshgate.droppedEvents` (how many, and why), so a gap is
 *   never silent; the first drop of a subscription is audited as a limit;
 * - an event with denials is delivered only after the audit log took them;
 * - it ends exactly once, with a reason the consumer receives as its last
 *   message (token expired, schema changed, subgraph stream ended, too slow,
 *   gateway stopping) or, when the client ended it, with none; the upstream
 *   request is closed either way.
 *
 * Must never: federate or deliver after it ended, or re-plan without
 * re-authorizing (a supergraph update re-prepares through the service).
 */
import type { ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import type { DeniedPath } from '../authorization/completeResponse';
import type { SubscriptionsConfig } from './config';
import { Delivery } from './Delivery';
import { federateEvents, type FederationInput } from './federateEvents';
import type { PreparedSubscription } from './prepareSubscription';

export type EndReason = { code: 'SLOW_CONSUMER' | 'SUBSCRIPTION_ENDED' | 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

export type LiveSubscriptionHooks = {
  config: SubscriptionsConfig;
  federation: Omit<FederationInput, 'prepared'>;
  openUpstream(prepared: PreparedSubscription): AsyncIterableIterator<ExecutionResult>;
  /** A fresh preparation for the supergraph served now; undefined when it is the one in use. */
  reprepare(current: PreparedSubscription): Promise<PreparedSubscription | EndReason | undefined>;
  /** Records an event's denials; resolves false when the audit log refused them (the event is then not delivered). */
  onDenials(denials: DeniedPath[]): Promise<boolean>;
  onWithheld(withheld: { rule: string; reason: string; count: number }): void;
  onDropped(count: number, first: boolean): void;
  onDelivered(latencyMs: number): void;
  onEnd(reason: EndReason | undefined): void;
};

type Pending = { event: ExecutionResult; receivedAt: number };

export class LiveSubscription {
  readonly delivery: Delivery;
  private upstream?: AsyncIterableIterator<ExecutionResult>;
  private pending: Pending[] = [];
  /** Events taken from `pending` whose batch is not federated yet. */
  private federating = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private tokens: number;
  private refilledAt = performance.now();
  private dropped = 0;
  private everDropped = false;
  private ended = false;

  constructor(
    public prepared: PreparedSubscription,
    private readonly hooks: LiveSubscriptionHooks,
  ) {
    this.tokens = this.burst;
    this.delivery = new Delivery(hooks.config.maxBufferedEvents, () => this.end(undefined), (waitedMs) => hooks.onDelivered(waitedMs));
  }

  /**
   * The bucket holds at most a second of events and at most the buffer: a burst larger than the buffer (one
   * commit of many rows) is rate-limited, with a marker, rather than ending a consumer that reads.
   */
  private get burst() {
    return Math.min(this.hooks.config.maxEventsPerSecond, this.hooks.config.maxBufferedEvents);
  }

  get isEnded() {
    return this.ended;
  }

  start() {
    this.upstream = this.hooks.openUpstream(this.prepared);
    void this.read(this.upstream);
  }

  /** Ends the subscription: `reason` is the consumer's last message; undefined when the consumer itself ended it. */
  end(reason: EndReason | undefined) {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.pending = [];
    void this.upstream?.return?.(undefined).catch(() => undefined);
    const final = reason && { errors: [new GraphQLError(reason.message, { extensions: { code: reason.code } })] };
    if (reason?.code === 'SLOW_CONSUMER') this.delivery.abandon(final!);
    else this.delivery.end(final);
    this.hooks.onEnd(reason);
  }

  private async read(upstream: AsyncIterableIterator<ExecutionResult>) {
    const product = this.prepared.primary.serviceName;
    try {
      for (;;) {
        const { done, value } = await upstream.next();
        if (done || this.ended) break;
        this.receive(value);
      }
      this.afterPending(() => this.end({ code: 'SUBSCRIPTION_ENDED', message: `The ${product} data product ended its event stream; subscribe again` }));
    } catch (error) {
      this.afterPending(() => this.end({ code: 'SUBSCRIPTION_ENDED', message: `The ${product} data product's event stream failed (${(error as Error).message ?? error}); subscribe again` }));
    }
  }

  private afterPending(then: () => void) {
    this.flush();
    void this.chain.then(then);
  }

  private receive(event: ExecutionResult) {
    const now = performance.now();
    const { maxEventsPerSecond, maxBufferedEvents, maxBatchEvents, batchWindowMs } = this.hooks.config;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * maxEventsPerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.dropped++;
      this.hooks.onDropped(1, !this.everDropped);
      this.everDropped = true;
      return;
    }
    this.tokens -= 1;
    if (this.pending.length + this.federating + this.delivery.waiting >= maxBufferedEvents) {
      return this.end({ code: 'SLOW_CONSUMER', message: `The subscriber fell ${maxBufferedEvents} events behind (subscriptions.maxBufferedEvents); the subscription ended. Subscribe again, and query what was missed.` });
    }
    this.pending.push({ event, receivedAt: now });
    if (this.pending.length >= maxBatchEvents) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), batchWindowMs);
  }

  private flush() {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length || this.ended) return;
    const batch = this.pending.splice(0, this.hooks.config.maxBatchEvents);
    this.federating += batch.length;
    this.chain = this.chain
      .then(() => this.federate(batch))
      .finally(() => (this.federating -= batch.length))
      .catch(() => this.end({ code: 'SUBSCRIPTION_ENDED', message: 'The gateway failed to resolve an event; subscribe again' }));
    if (this.pending.length) this.flush();
  }

  private async federate(batch: Pending[]) {
    if (this.ended) return;
    const fresh = await this.hooks.reprepare(this.prepared);
    if (fresh && 'code' in fresh) return this.end(fresh);
    if (fresh) this.prepared = fresh;
    const outcomes = await federateEvents({ ...this.hooks.federation, prepared: this.prepared }, batch.map(({ event }) => event));
    if (this.ended) return;
    const withheld = new Map<string, { rule: string; reason: string; count: number }>();
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i];
      if ('withheld' in outcome) {
        const key = `${outcome.withheld.rule}\0${outcome.withheld.reason}`;
        const entry = withheld.get(key) ?? withheld.set(key, { ...outcome.withheld, count: 0 }).get(key)!;
        entry.count++;
        continue;
      }
      // As for a query: an event with denials is delivered only once they are in the audit log.
      if (outcome.denied.length && !(await this.hooks.onDenials(outcome.denied))) {
        return this.end({ code: 'SUBSCRIPTION_ENDED', message: 'The audit log cannot take the records of this subscription now; subscribe again later' });
      }
      if (this.ended) return;
      const result = this.withDropMarker(outcome.delivered);
      if (!this.delivery.offer(result, batch[i].receivedAt)) {
        return this.end({ code: 'SLOW_CONSUMER', message: `The subscriber fell ${this.hooks.config.maxBufferedEvents} events behind (subscriptions.maxBufferedEvents); the subscription ended. Subscribe again, and query what was missed.` });
      }
    }
    // One audit record per rule and reason per batch, with how many events it withheld.
    for (const entry of withheld.values()) this.hooks.onWithheld(entry);
  }

  private withDropMarker(result: ExecutionResult): ExecutionResult {
    if (!this.dropped) return result;
    const droppedEvents = { count: this.dropped, reason: `more than subscriptions.maxEventsPerSecond (${this.hooks.config.maxEventsPerSecond}) events per second` };
    this.dropped = 0;
    return { ...result, extensions: { ...result.extensions, meshgate: { droppedEvents } } };
  }
}
