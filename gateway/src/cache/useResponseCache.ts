/**
 * The response cache and in-flight deduplication of queries, as a stage
 * inside the authorization stage: it sees the operation after authorization
 * (denied fields already removed) and caches what the executor returns before
 * completion, so completion (nulls and FORBIDDEN errors at denied paths,
 * row-level rules) runs again for every request and every principal.
 *
 * Key: the rewritten operation's hash, the operation name, the coerced
 * variables (useVariableCoercion.ts: defaults applied, the value and not its
 * spelling, so `1e400` is an error before it could be a key) and the
 * principal's authorization fingerprint (kind, roles, scopes, domains).
 * Keyed by principal id as well when any data carried a PRIVATE hint, came
 * from a subgraph configured as per-principal, or when the operation carries
 * row-level checks (their helper fields): the result may then depend on who
 * asked, beyond the fingerprint.
 *
 * It must never: serve a response to a principal with other rights, cache a
 * mutation or any part of an operation served with @defer, cache a response with execution errors (a subgraph down, a
 * timeout), or hand two requests the same result object. Time to live: the
 * most restrictive hint of the subgraph answers used, capped by cache.maxTtlSec.
 *
 * It records on the request's cache state what it decided (`state.response`),
 * so the response shortcut can store the completed answer under the same
 * terms; the shortcut never reads this stage's pre-completion entries.
 *
 * Clients that send the header `meshgate-cache-status: 1` (or the request
 * extension `cacheStatus: true`) get `extensions.cache` with the status.
 */
import { GraphQLError, print, type DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { HELPER_PREFIX, TYPENAME_HELPER } from '../authorization/authorizeOperation';
import type { MeshContext } from '../context';
import type { ExecutionStage } from '../execution/MeshGateway';
import { secondsLeft, type CacheHint } from './cachePolicy';
import { boundTags, collectTags, withTagFields } from './entityTags';
import { coercedVariablesOf } from '../execution/useVariableCoercion';
import { incrementalStateOf } from '../execution/defer/incrementalDelivery';
import { hashOf, stableStringify } from './keys';
import type { MeshCache, RequestCacheState } from './MeshCache';

export const CACHE_STATUS_HEADER = 'meshgate-cache-status';

type Result = Awaited<ReturnType<GatewayExecutor>>;
type ResponseStatus = 'HIT' | 'MISS' | 'DEDUPED' | 'OFF';

/** What a leader shares with identical requests that arrived while it ran. */
type Shared = { json: string; hint: CacheHint; perPrincipal: boolean; personalScope: string; tags: string[] };

const MAX_RESPONSE_TAGS = 500;
// Row-level checks add their parent fields under reserved aliases (authorizeOperation.ts).
const ROW_CHECK_ALIAS = new RegExp(`\\b${HELPER_PREFIX}(?!${TYPENAME_HELPER.slice(HELPER_PREFIX.length)}\\b)(?!c_)\\w+\\s*:`);

export function asksForCacheStatus(requestContext: GatewayGraphQLRequestContext): boolean {
  const header = requestContext.request.http?.headers.get(CACHE_STATUS_HEADER);
  return (header !== null && header !== undefined && header !== '0' && header !== 'false') || requestContext.request.extensions?.cacheStatus === true;
}

export function useResponseCache(cache: MeshCache): ExecutionStage {
  const { responseCache, dedupe } = cache.config;
  // Adding the tag fields means printing and hashing the operation: once per operation shape.
  const tagged = new LRUCache<string, { document: DocumentNode; source: string; queryHash: string }>({ max: 1000 });

  const taggedOperation = (requestContext: GatewayGraphQLRequestContext) => {
    const id = `${requestContext.queryHash}|${cache.namespace}`;
    let entry = tagged.get(id);
    if (!entry) {
      const document = withTagFields(requestContext.document, requestContext.schema, cache.entityTypes);
      const source = document === requestContext.document ? requestContext.source : print(document);
      entry = { document, source, queryHash: document === requestContext.document ? requestContext.queryHash : hashOf(source, 64) };
      tagged.set(id, entry);
    }
    return entry;
  };

  return (next) => async (requestContext) => {
    if (requestContext.operation?.operation !== 'query') return next(requestContext);
    // The parts of an operation served with @defer are never cached, shared or replayed: each is run for its request.
    if (incrementalStateOf(requestContext.context)) return next(requestContext);
    const context = requestContext.context as MeshContext;
    const state = cache.stateFor(context);
    if (!responseCache.enabled && !dedupe.enabled) {
      // Entity cache only: nothing to key here; the status still shows the entity cache's work.
      const result = await next(requestContext);
      return asksForCacheStatus(requestContext) ? withStatus(result, 'OFF', state) : result;
    }
    const base = hashOf(`${requestContext.queryHash}\0${requestContext.operationName ?? ''}\0${stableStringify(coercedVariablesOf(requestContext))}`);
    const sharedKey = `${cache.namespace}r:{${base}}:${state.fingerprint}`;
    const personalKey = `${cache.namespace}r:{${base}}:${state.personalScope}`;
    const rowChecks = ROW_CHECK_ALIAS.test(requestContext.source ?? '');
    const status = (response: ResponseStatus, result: Result, hint?: CacheHint) =>
      asksForCacheStatus(requestContext) ? withStatus(result, response, state, hint) : result;

    if (responseCache.enabled) {
      const [shared, personal] = await cache.store.get(rowChecks ? [personalKey] : [sharedKey, personalKey]).then((records) => (rowChecks ? [undefined, ...records] : records));
      const record = shared ?? personal;
      if (record) {
        cache.metrics.hits.inc({ layer: 'response', subgraph: '' });
        const hint: CacheHint = { maxAge: secondsLeft(record.expiresAt), scope: record.scope };
        state.noteHint(hint);
        requestContext.overallCachePolicy.restrict(hint);
        state.response = { base, rowChecks, personal: record === personal || record.scope === 'PRIVATE', hint, tags: record.tags };
        return status('HIT', { data: record.value as Result['data'] }, hint);
      }
      cache.metrics.misses.inc({ layer: 'response', subgraph: '' });
    }

    const execute = async () => {
      const result = responseCache.enabled ? await next({ ...requestContext, ...taggedOperation(requestContext) }) : await next(requestContext);
      const tags = responseCache.enabled ? collectTags(result.data, cache.entityTypes) : new Set<string>();
      const perPrincipal = rowChecks || state.perPrincipal || state.policy.scope === 'PRIVATE';
      const ttl = state.policy.ttl(cache.config.defaultTtlSec, cache.config.maxTtlSec);
      const hint: CacheHint = { maxAge: ttl, scope: perPrincipal ? 'PRIVATE' : 'PUBLIC' };
      return { result, tags: boundTags(new Set([...tags, ...state.tags]), MAX_RESPONSE_TAGS), hint, perPrincipal };
    };

    let outcome: Awaited<ReturnType<typeof execute>>;
    if (dedupe.enabled) {
      const settled = await cache.inflight.run<Awaited<ReturnType<typeof execute>>, Shared>(rowChecks ? personalKey : sharedKey, execute, (value) => ({
        json: JSON.stringify({ data: value.result.data, errors: value.result.errors }),
        hint: value.hint,
        perPrincipal: value.perPrincipal,
        personalScope: state.personalScope,
        tags: [...value.tags],
      }));
      if (!settled.leader) {
        const { shared } = settled;
        if (!shared.perPrincipal || shared.personalScope === state.personalScope) {
          cache.metrics.deduplicated.inc({ layer: 'response', subgraph: '' });
          state.noteHint(shared.hint);
          requestContext.overallCachePolicy.restrict(shared.hint);
          state.response = { base, rowChecks, personal: shared.perPrincipal, hint: shared.hint, tags: shared.tags };
          return status('DEDUPED', fromJson(shared.json), shared.hint);
        }
        // The leader's data depended on who it was: this principal runs its own.
        outcome = await execute();
      } else outcome = settled.value;
    } else outcome = await execute();

    const { result, hint, perPrincipal, tags } = outcome;
    state.response = { base, rowChecks, personal: perPrincipal, hint, tags: [...tags] };
    if (responseCache.enabled && hint.maxAge > 0 && result.data && !result.errors?.length) {
      void cache.store.set([
        {
          key: perPrincipal ? personalKey : sharedKey,
          json: JSON.stringify(result.data),
          expiresAt: Date.now() + hint.maxAge * 1000,
          scope: hint.scope,
          tags: [...tags],
        },
      ]);
      cache.metrics.writes.inc({ layer: 'response', subgraph: '' });
    }
    return status(responseCache.enabled ? 'MISS' : 'OFF', result, hint);
  };
}

/** A shared result, parsed anew for each request; errors become GraphQLErrors again. */
function fromJson(json: string): Result {
  const parsed = JSON.parse(json) as { data?: Result['data']; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
  return {
    data: parsed.data,
    ...(parsed.errors ? { errors: parsed.errors.map((error) => new GraphQLError(error.message, { path: error.path, extensions: error.extensions })) } : {}),
  };
}

function withStatus(result: Result, response: ResponseStatus, state: RequestCacheState, hint?: CacheHint): Result {
  return {
    ...result,
    extensions: {
      ...result.extensions,
      cache: { response, ...(hint ? { ttl: hint.maxAge, scope: hint.scope } : {}), entities: state.entities },
    },
  };
}
