/**
 * The wire contract of `@defer` (incremental delivery in the 2022-08-24 format that Apollo Client and Apollo
 * Server speak): what the client must accept, what each subsequent payload holds, and where the response
 * plugin finds the payloads still to come (per request, keyed by the context object Apollo Server hands both
 * the executor stages and the plugins; never shared between requests).
 *
 * The Accept check is written by hand because it is one media type with one parameter: a client that lists
 * `multipart/mixed; deferSpec=20220824` with a non-zero quality accepts it. Apollo Server answers other clients
 * 406 for an operation with `@defer`, and so do we (a client that does not read multipart would mistake the
 * first part for the whole answer).
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export const DEFER_SPEC = 'deferSpec=20220824';
export const MULTIPART_CONTENT_TYPE = `multipart/mixed; boundary="-"; ${DEFER_SPEC}`;

export type IncrementalItem = { data: Record<string, unknown> | null; path: (string | number)[]; label?: string; errors?: GraphQLFormattedError[] };
export type SubsequentPayload = { incremental: IncrementalItem[]; hasNext: boolean; extensions?: Record<string, unknown> };

/** Per-request state the `@defer` stage shares with the response plugin and the response cache. */
export type IncrementalState = {
  /** The payloads after the first, in the order they complete; set only when there is at least one. */
  subsequent?: AsyncIterable<SubsequentPayload>;
};

const states = new WeakMap<object, IncrementalState>();

/** Marks the request (by its context object) as served in parts: no cache stores or replays any of them. */
export function markDeferred(context: object): IncrementalState {
  let state = states.get(context);
  if (!state) states.set(context, (state = {}));
  return state;
}

/** The request's incremental state when its operation is served in parts. */
export const incrementalStateOf = (context: object | undefined): IncrementalState | undefined => (context ? states.get(context) : undefined);

/** Whether an Accept header accepts `multipart/mixed; deferSpec=20220824`. */
export function acceptsDefer(accept: string | null | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'multipart/mixed') return false;
    const values = new Map(parameters.map((parameter) => parameter.split('=').map((part) => part.trim().replace(/^"|"$/g, '')) as [string, string]));
    return values.get('deferspec') === '20220824' && (values.get('q') === undefined || Number(values.get('q')) > 0);
  });
}

export const notAcceptable = () =>
  new GraphQLError(
    `This operation uses @defer, so its answer comes in several parts, but the request's Accept header does not accept them. Send 'Accept: multipart/mixed; ${DEFER_SPEC}, application/json' (Apollo Client does), or remove @defer.`,
    { extensions: { code: 'BAD_REQUEST', http: { status: 406 } } },
  );
