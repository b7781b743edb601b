/**
 * The subscriptions of one gateway instance, whatever their transport:
 * starts each one (receive, limits per principal, authorization, plan,
 * subgraph stream), ends them (token expiry, supergraph updates, stopping),
 * and writes their audit records and metrics.
 *
 * Guarantees:
 * - official operations rule as over POST (operations/operationRequests.ts): a
 *   subscription may be named by id, and a role that may run official
 *   operations only is refused any other (OPERATION_NOT_OFFICIAL, audited);
 * - a principal holds at most `maxPerPrincipal` subscriptions here; one more
 *   is refused (SUBSCRIPTION_LIMIT_EXCEEDED) and audited;
 * - start and end of every subscription are audited (the end with its
 *   reason), and so is every denial: a root field denied at start; a field
 *   denied in events when it first occurs, before that event is delivered,
 *   and, when it repeated, once more at the end with the count (the same
 *   decision applies to every event, so the log grows per subscription, not
 *   per event); events withheld by a row scope (one record per batch and
 *   rule, with the count); the first event dropped by the rate limit;
 * - a subscription ends when its token expires, with UNAUTHENTICATED;
 * - on a supergraph update, a subscription whose document no longer
 *   validates ends with SUBSCRIPTION_ENDED; the others are re-authorized and
 *   re-planned before their next batch, and end only if that fails or their
 *   root field moved to another subgraph.
 *
 * Must never: start a subscription without a principal checked at connection
 * start, or keep one past its token's expiry.
 */
import { createHash, randomUUID } from 'node:crypto';
import { getOperationAST, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { AuditEntry, AuditLog } from '../audit/AuditLog';
import type { IntrospectionPolicy } from '../authorization/authorizeOperation';
import type { DeniedPath } from '../authorization/completeResponse';
import type { PolicyHolder } from '../authorization/policySource';
import type { MeshContext } from '../context';
import { meshError } from '../errors';
import type { MeshGateway } from '../execution/MeshGateway';
import type { LimitsConfig } from '../limits/config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/Metrics';
import { OperationRequestError, type OperationRequests } from '../operations/operationRequests';
import { LINEAR_SPECIFIED_RULES, type ValidateOperation } from '../validation/validateOperation';
import type { SubscriptionsConfig } from './config';
import { LiveSubscription, type EndReason } from './LiveSubscription';
import { openUpstream } from './openUpstream';
import { prepareSubscription, type PreparedSubscription } from './prepareSubscription';
import { receiveSubscription } from './receiveSubscription';

export type Transport = 'graphql-ws' | 'graphql-sse';

export type SubscriptionRequest = {
  context: MeshContext;
  /** The document; an official operation's own when the request names one by id (documentId, or the persistedQuery extension). */
  query: string;
  documentId?: unknown;
  extensions?: unknown;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  transport: Transport;
  /** When the connection's credentials expire (ms since the epoch). */
  expiresAt?: number;
};

export type SubscriptionServiceOptions = {
  config: SubscriptionsConfig;
  limits: LimitsConfig;
  gateway: MeshGateway;
  policies?: PolicyHolder;
  introspection: IntrospectionPolicy;
  validate: ValidateOperation;
  /** Official operations: a role that may run only those is refused an ad-hoc subscription (audited), as over POST. */
  operations?: OperationRequests;
  audit: AuditLog;
  metrics: Metrics;
  logger: Logger;
};

type Entry = {
  live: LiveSubscription;
  request: SubscriptionRequest;
  document: DocumentNode;
  id: string;
  product: string;
  expiry?: NodeJS.Timeout;
  /** Denials seen in its events, by rule, path and reason, with how often (the same decision repeats in every event). */
  denials: Map<string, { denial: DeniedPath; count: number }>;
};

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why a subscription ends when its token expires. */
const expiryOf = (expiresAt: number): EndReason => ({
  code: 'UNAUTHENTICATED',
  message: `The token expired at ${new Date(expiresAt).toISOString()}; the subscription ended. Subscribe again with a fresh token.`,
});

export class SubscriptionService {
  private readonly active = new Set<Entry>();
  private readonly perPrincipal = new Map<string, number>();
  private readonly events;
  private readonly latency;
  private readonly ends;
  private stopping = false;

  constructor(private readonly options: SubscriptionServiceOptions) {
    const { metrics } = options;
    const active = this.active;
    metrics.gauge('meshgate_subscriptions_active', 'Subscriptions running now, by data product (the subgraph of the root field) and transport', ['product', 'transport'], function collect() {
      this.reset();
      for (const entry of active) this.inc({ product: entry.product, transport: entry.request.transport });
    });
    this.events = metrics.counter('meshgate_subscription_events_total', 'Subscription events by data product: delivered, withheld by a row scope, or dropped by the event-rate limit', ['product', 'outcome']);
    this.latency = metrics.histogram('meshgate_subscription_delivery_seconds', 'From an event reaching the gateway to its response being taken by the transport (federation plus waiting for the consumer)', ['product'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
    this.ends = metrics.counter('meshgate_subscriptions_ended_total', 'Subscriptions ended, by data product and reason code (CLIENT when the subscriber ended it)', ['product', 'reason']);
  }

  get activeCount() {
    return this.active.size;
  }

  /** Starts a subscription: its events, or the errors that refused it. */
  async start(request: SubscriptionRequest): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const { context } = request;
    if (this.stopping) return { errors: [meshError('SUBSCRIPTION_ENDED', 'The gateway is stopping; subscribe again (another instance will serve you)')] };
    if (this.options.operations) {
      try {
        const { fields } = await this.options.operations.resolveFields({ query: request.query, documentId: request.documentId, operationName: request.operationName, extensions: request.extensions }, context);
        if (typeof fields.query !== 'string') return { errors: [meshError('BAD_REQUEST', 'The request has no "query" string and names no official operation')] };
        request = { ...request, query: fields.query };
      } catch (error) {
        if (!(error instanceof OperationRequestError)) throw error;
        return { errors: [meshError(error.code as never, error.message)] };
      }
    }
    const planning = this.options.gateway.planning();
    if (!planning) return { errors: [meshError('SUBSCRIPTION_ENDED', 'The gateway has no supergraph loaded yet; try again shortly')] };
    const variables = request.variables ?? {};
    const received = receiveSubscription({ limits: this.options.limits, validate: this.options.validate }, { principal: context.principal, query: request.query, operationName: request.operationName, variables, schema: planning.schema });
    if ('errors' in received) {
      for (const error of received.limitErrors ?? []) await this.record(request, { kind: 'limit-exceeded', rule: String(error.extensions.limit), reason: error.message });
      return { errors: received.errors };
    }
    // Audit records name the operation the document runs, whether or not the client sent operationName.
    request = { ...request, operationName: request.operationName ?? getOperationAST(received.document, undefined)?.name?.value ?? null };
    const held = this.perPrincipal.get(context.principal.id) ?? 0;
    if (held >= this.options.config.maxPerPrincipal) {
      const reason = `${context.principal.id} already holds ${held} subscriptions, the limit of subscriptions.maxPerPrincipal on this gateway instance`;
      await this.record(request, { kind: 'limit-exceeded', rule: 'subscriptions.maxPerPrincipal', reason });
      return { errors: [meshError('SUBSCRIPTION_LIMIT_EXCEEDED', reason, { limit: 'maxPerPrincipal', max: this.options.config.maxPerPrincipal })] };
    }
    const outcome = await this.prepare(request, received.document, planning);
    if ('errors' in outcome) {
      for (const denial of outcome.denials ?? []) await this.recordDenial(request, denial);
      return { errors: outcome.errors };
    }
    return this.run(request, received.document, outcome.prepared);
  }

  /** A supergraph update: ends the subscriptions the new API schema cannot serve; the others re-plan before their next batch. */
  onSupergraphUpdate(apiSchema: GraphQLSchema) {
    for (const entry of this.active) {
      const errors = validate(apiSchema, entry.document, LINEAR_SPECIFIED_RULES);
      if (errors.length) {
        entry.live.end({ code: 'SUBSCRIPTION_ENDED', message: `The supergraph changed and no longer serves this subscription (${errors[0].message}); it ended` });
      }
    }
  }

  /** Ends every subscription and refuses new ones (the gateway is stopping). */
  stop() {
    this.stopping = true;
    for (const entry of [...this.active]) entry.live.end({ code: 'SUBSCRIPTION_ENDED', message: 'The gateway is stopping; subscribe again (another instance will serve you)' });
  }

  private prepare(request: SubscriptionRequest, document: DocumentNode, planning: NonNullable<ReturnType<MeshGateway['planning']>>) {
    return prepareSubscription({
      planning,
      policy: this.options.policies?.current(),
      document,
      operationName: request.operationName,
      variables: request.variables ?? {},
      context: request.context,
      introspection: this.options.introspection,
      onRuleError: this.onRuleError(request),
    });
  }

  private run(request: SubscriptionRequest, document: DocumentNode, prepared: PreparedSubscription): AsyncIterableIterator<ExecutionResult> {
    const { context } = request;
    const principalId = context.principal.id;
    const product = prepared.primary.serviceName;
    const entry: Entry = { request, document, id: randomUUID(), product, denials: new Map() } as unknown as Entry;
    const live = new LiveSubscription(prepared, {
      config: this.options.config,
      federation: { gateway: this.options.gateway, context, variables: request.variables ?? {}, onRuleError: this.onRuleError(request) },
      openUpstream: (current) => openUpstream({ gateway: this.options.gateway, primary: current.primary, principal: context.principal, variables: request.variables ?? {}, requestId: context.requestId }),
      reprepare: (current) => this.reprepare(request, document, current),
      onDenials: async (denials) => {
        // A denial is recorded when it first occurs (before its event is delivered); repeats are counted and summed up at the end.
        const first = denials.filter((denial) => {
          const key = `${denial.rule}\0${denial.path.join('.')}\0${denial.reason}`;
          const seen = entry.denials.get(key);
          if (seen) seen.count += denial.count ?? 1;
          else entry.denials.set(key, { denial, count: denial.count ?? 1 });
          return !seen;
        });
        return (await Promise.all(first.map((denial) => this.recordDenial(request, denial)))).every((outcome) => outcome !== 'refused');
      },
      onWithheld: ({ rule, reason, count }) => {
        this.events.inc({ product, outcome: 'withheld' }, count);
        void this.record(request, { kind: 'denial', path: [prepared.rootKey], rule, reason: `event withheld: ${reason}`, ...(count > 1 && { count, pathPattern: [prepared.rootKey] }) });
      },
      onDropped: (count, first) => {
        this.events.inc({ product, outcome: 'dropped' }, count);
        if (first) void this.record(request, { kind: 'limit-exceeded', rule: 'subscriptions.maxEventsPerSecond', reason: `events over ${this.options.config.maxEventsPerSecond} per second are dropped; the next delivered event says how many` });
      },
      onDelivered: (latencyMs) => {
        this.events.inc({ product, outcome: 'delivered' });
        this.latency.observe({ product }, latencyMs / 1000);
      },
      onEnd: (reason) => this.ended(entry, reason),
    });
    entry.live = live;
    this.active.add(entry);
    this.perPrincipal.set(principalId, (this.perPrincipal.get(principalId) ?? 0) + 1);
    if (request.expiresAt !== undefined) {
      const expiresAt = request.expiresAt;
      entry.expiry = setTimeout(() => live.end(expiryOf(expiresAt)), Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - Date.now())));
    }
    void this.record(request, { kind: 'subscription-start', reason: `subscribed to ${prepared.rootKey} (${product}) over ${request.transport}`, subscriptionId: entry.id });
    try {
      live.start();
    } catch (error) {
      live.end({ code: 'SUBSCRIPTION_ENDED', message: `The ${product} data product's event stream could not be opened (${(error as Error).message})` });
    }
    return live.delivery;
  }

  private async reprepare(request: SubscriptionRequest, document: DocumentNode, current: PreparedSubscription): Promise<PreparedSubscription | EndReason | undefined> {
    const planning = this.options.gateway.planning();
    if (!planning || planning.queryPlanner === current.planning.queryPlanner) return undefined;
    const outcome = await this.prepare(request, document, planning);
    if ('errors' in outcome) {
      for (const denial of outcome.denials ?? []) await this.recordDenial(request, denial);
      const code = outcome.denials?.length ? 'FORBIDDEN' : 'SUBSCRIPTION_ENDED';
      return { code, message: `The supergraph changed and this subscription can no longer be served (${outcome.errors[0].message}); it ended` };
    }
    const { primary } = outcome.prepared;
    if (primary.serviceName !== current.primary.serviceName || primary.operation !== current.primary.operation) {
      return { code: 'SUBSCRIPTION_ENDED', message: `The supergraph changed where ${current.rootKey} is served; subscribe again` };
    }
    return outcome.prepared;
  }

  private ended(entry: Entry, reason: EndReason | undefined) {
    if (!this.active.delete(entry)) return;
    // The transport may close first at the same deadline (graphql-ws closes the socket with 4401): still the expiry's doing.
    const { expiresAt } = entry.request;
    if (!reason && expiresAt !== undefined && Date.now() >= expiresAt) reason = expiryOf(expiresAt);
    clearTimeout(entry.expiry);
    const principalId = entry.request.context.principal.id;
    const held = (this.perPrincipal.get(principalId) ?? 1) - 1;
    if (held > 0) this.perPrincipal.set(principalId, held);
    else this.perPrincipal.delete(principalId);
    this.ends.inc({ product: entry.product, reason: reason?.code ?? 'CLIENT' });
    // Each denial that repeated: one record with how many times it applied over the subscription.
    for (const { denial, count } of entry.denials.values()) {
      if (count > 1) void this.recordDenial(entry.request, { ...denial, count, pathPattern: denial.pathPattern ?? denial.path, paths: denial.paths ?? [denial.path], reason: `${denial.reason} (${count} times over the subscription)` });
    }
    void this.record(entry.request, { kind: 'subscription-end', rule: reason?.code ?? null, reason: reason?.message ?? 'the subscriber ended it', subscriptionId: entry.id });
  }

  private onRuleError(request: SubscriptionRequest) {
    return (rule: string, error: unknown) => this.options.logger.error({ err: error, rule, requestId: request.context.requestId }, 'an authorization rule threw; the field is denied');
  }

  private recordDenial(request: SubscriptionRequest, denial: DeniedPath) {
    return this.record(request, {
      kind: 'denial',
      path: denial.path,
      rule: denial.rule,
      reason: denial.reason,
      ...(denial.count !== undefined && { count: denial.count, pathPattern: denial.pathPattern, paths: denial.paths }),
    });
  }

  private record(request: SubscriptionRequest, entry: Partial<AuditEntry> & Pick<AuditEntry, 'kind' | 'reason'> & { subscriptionId?: string }) {
    const { principal, requestId, client } = request.context;
    const { subscriptionId, ...rest } = entry;
    return this.options.audit.record({
      principal: { id: principal.id, kind: principal.kind, email: principal.email },
      operationName: request.operationName ?? null,
      operationHash: createHash('sha256').update(request.query).digest('hex'),
      path: null,
      rule: null,
      client,
      requestId: subscriptionId ? `${requestId}/${subscriptionId}` : requestId,
      route: `${request.transport} /graphql`,
      ...rest,
    } as AuditEntry);
  }
}
