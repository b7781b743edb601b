/**
 * Turns a batch of events from a subscription's subgraph stream into the
 * responses its subscriber receives, with meshgate's plan executor:
 *
 * 1. the rest of the subscription's plan runs once over all the events of the
 *    batch (`{ events: [root, …] }`): each entity fetch sends the
 *    representations of every event together, each distinct one once, so ten
 *    transactions of three customers cost one fetch of three customers;
 * 2. each event is shaped (ResponseShape), then filtered by the row scopes
 *    that cover its root object (an event whose object the principal may not
 *    see is withheld, not delivered with holes), then completed like a query
 *    (completeResponse: row-level fields, FORBIDDEN at the paths denied before
 *    planning, helper fields removed).
 *
 * Guarantees: an event is delivered only after every row filter allowed it;
 * errors from a fetch are given to the events they concern (a subgraph error
 * on one entity reaches every event that holds it); rule decisions are
 * memoized per batch, never across batches (a principal's rights or an
 * owner's data may change between them).
 *
 * Must never: deliver the fields a row filter read, or share one batch's
 * context (rule cache, entity-cache state) with another.
 */
import { GraphQLError, type ExecutionResult, type GraphQLResolveInfo } from 'graphql';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { MeshContext } from '../context';
import type { MeshGateway } from '../execution/MeshGateway';
import { executePlanNode, type PlanRun } from '../execution/plan/executePlanNode';
import { completeResponse, type DeniedPath } from '../authorization/completeResponse';
import { evaluateRule } from '../authorization/ruleTree';
import { rowFilterView, type PreparedSubscription } from './prepareSubscription';

export type EventOutcome =
  | { delivered: ExecutionResult; denied: DeniedPath[] }
  | { withheld: { rule: string; reason: string } };

export type FederationInput = {
  gateway: MeshGateway;
  prepared: PreparedSubscription;
  context: MeshContext;
  /** The variables as the subscriber sent them (fetches forward those the subgraph operation uses). */
  variables: Record<string, unknown>;
  onRuleError(rule: string, error: unknown): void;
};

type Data = Record<string, unknown>;

export async function federateEvents(input: FederationInput, events: ExecutionResult[]): Promise<EventOutcome[]> {
  const { prepared, gateway } = input;
  // One context per batch: rule decisions and entity-cache state are memoized for this batch only.
  const context: MeshContext = { ...input.context, _shield: { cache: {} }, cache: {} };
  const roots = events.map((event) => (event.data ? (event.data as Data) : null));
  const present = roots.filter((root): root is Data => root !== null);
  const run: PlanRun = {
    requestContext: {
      context,
      request: { variables: input.variables },
      operation: { operation: 'subscription' },
      metrics: {},
    } as unknown as GatewayGraphQLRequestContext,
    coercedVariables: prepared.coercedVariables,
    supergraphSchema: prepared.planning.supergraphSchema,
    dataSource: (name) => gateway.dataSource(name),
    errors: [],
  };
  if (prepared.rest && present.length) {
    const batch = { events: present };
    await executePlanNode(run, prepared.rest, { path: [], data: batch, fullResult: batch });
  }
  const errorsOf = errorsByEvent(run.errors, present.length);
  let index = 0;
  return Promise.all(
    events.map(async (event, position) => {
      const root = roots[position];
      const fetchErrors = root ? errorsOf(index++) : [];
      const { data, errors: completionErrors } = root ? prepared.shape.apply(root) : { data: null, errors: [] };
      const withheld = data && (await rowFilterVerdict(prepared, data, context, input.onRuleError));
      if (withheld) return { withheld };
      const errors = [...(event.errors ?? []), ...fetchErrors, ...(fetchErrors.length ? [] : completionErrors)];
      const result: ExecutionResult = errors.length ? { data, errors } : { data };
      const denied = await completeResponse(result as never, prepared.authorization, context, input.onRuleError);
      return { delivered: result, denied };
    }),
  );
}

/** The first row filter that denies the event's root object, or undefined when all allow. */
async function rowFilterVerdict(prepared: PreparedSubscription, data: Data, context: MeshContext, onRuleError: (rule: string, error: unknown) => void) {
  const object = data[prepared.rootKey];
  if (!object || typeof object !== 'object') return prepared.rowFilters.length ? { rule: prepared.rowFilters[0].label, reason: 'the event has no object to check' } : undefined;
  for (const filter of prepared.rowFilters) {
    const info = { fieldName: prepared.rootKey, parentType: prepared.rootType, path: { prev: undefined, key: prepared.rootKey, typename: prepared.rootType.name } } as unknown as GraphQLResolveInfo;
    const outcome = await evaluateRule(filter.rule, { parent: rowFilterView(filter, object as Data), args: {}, context, info, onRuleError });
    if (outcome.kind !== 'allow') return { rule: filter.label, reason: outcome.kind === 'deny' ? outcome.reason : 'the row scope could not be decided' };
  }
  return undefined;
}

/** Errors of the batch's run by event: paths under `events.<i>` go to event i (without that prefix), others to every event. */
function errorsByEvent(errors: GraphQLError[], count: number): (index: number) => GraphQLError[] {
  const own: GraphQLError[][] = Array.from({ length: count }, () => []);
  const shared: GraphQLError[] = [];
  for (const error of errors) {
    const path = error.path;
    if (path?.[0] === 'events' && typeof path[1] === 'number' && path[1] < count) {
      own[path[1]].push(new GraphQLError(error.message, { path: path.slice(2), extensions: error.extensions, originalError: error.originalError ?? undefined }));
    } else shared.push(error);
  }
  return (index) => [...own[index], ...shared];
}
