/**
 * The `subscriptions` section: GraphQL subscriptions over graphql-ws
 * (WebSocket) and graphql-sse on /graphql (docs/streaming.md). Every bound
 * has a default; none can be turned off, so no subscriber can hold
 * unbounded memory or a subgraph stream without limit.
 */
import { z } from 'zod';

export const SubscriptionsConfigSchema = z
  .object({
    /** Serve subscriptions at all (the WebSocket upgrade and event-stream POSTs on /graphql). */
    enabled: z.boolean().default(true),
    /** Subscriptions one principal may hold at once on this gateway instance, over every connection and transport. */
    maxPerPrincipal: z.number().int().min(1).max(10_000).default(20),
    /** Events one subscription may receive per second (a token bucket of one second); events over it are dropped and the next one delivered says how many. */
    maxEventsPerSecond: z.number().min(0.1).max(100_000).default(200),
    /**
     * Events a subscription may have waiting for its consumer. A consumer that falls this far behind (it
     * does not read its socket) is closed with SLOW_CONSUMER: a client that missed events must know it, and
     * resubscribe (and query what it missed), rather than get a gap it cannot see.
     */
    maxBufferedEvents: z.number().int().min(1).max(100_000).default(100),
    /** Events arriving within this window are federated together: one entity fetch per subgraph for all of them. */
    batchWindowMs: z.number().int().min(0).max(1000).default(5),
    /** At most this many events are federated in one batch. */
    maxBatchEvents: z.number().int().min(1).max(10_000).default(200),
    /** A WebSocket must send connection_init within this time (graphql-ws closes it with 4408 otherwise). */
    connectionInitWaitMs: z.number().int().min(100).max(60_000).default(5000),
  })
  .strict();

export type SubscriptionsConfig = z.infer<typeof SubscriptionsConfigSchema>;
