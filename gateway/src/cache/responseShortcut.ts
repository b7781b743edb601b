/**
 * The response cache's and query deduplication's front door: a request the
 * gateway has already answered cleanly for the same principal is served from
 * the cache, or joins an identical request in flight, before Apollo Server's
 * pipeline runs at all — no parsing, validation, authorization, planning or
 * serialization, only a store lookup and the stored text.
 *
 * It serves nothing it has not learned. After a full run, when the answer
 * was clean — a query, HTTP 200, no errors (so no denied field), no
 * extensions (no deprecation warning), one complete body — it remembers, for
 * that exact request body and `accept` header sent by that principal (id and
 * authorization fingerprint), the response cache keys the response cache
 * stage computed from the operation after authorization. The memory is per
 * principal because a rule may look at more than the fingerprint; it is
 * dropped when the supergraph (and with it the policies) changes. Anything
 * else — a first request, a denial, row-level checks' completion, a client
 * asking for the cache status, GET requests — takes the full pipeline, which
 * keeps every guarantee of useResponseCache.ts (keys, safety, audit).
 *
 * A hit answers `{"data":<stored text>}` and a newline, as Apollo Server
 * does, with the headers of the learned answer and a Cache-Control header
 * from the entry's time left. Followers of a request in flight get the
 * leader's answer when it was clean and not personal to another principal;
 * otherwise they run the full pipeline.
 */
import type { IncomingMessage } from 'node:http';
import { HeaderMap, type ApolloServerPlugin, type HTTPGraphQLResponse } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import type { MeshContext } from '../context';
import { secondsLeft } from './cachePolicy';
import { hashOf } from './keys';
import type { MeshCache, ResponseKeys } from './MeshCache';
import { CACHE_STATUS_HEADER } from './useResponseCache';

type Learned = { keys: ResponseKeys; headers: [string, string][] };
/** What a leader hands to the identical requests that waited for it: null when its answer was not theirs to take. */
type Shared = { body: string; headers: [string, string][]; personal: boolean; principalId: string } | null;
type Run = () => Promise<HTTPGraphQLResponse>;

const JSON_BODY = /^application\/json\b/i;

export type ResponseShortcut = {
  /** Records whether each answer was clean (a query without errors or extensions); goes into Apollo Server's plugins. */
  plugin: ApolloServerPlugin<MeshContext>;
  /** Answers the request from what was learned, or runs it in full (`run`) and learns from it. */
  respond(req: IncomingMessage, body: Buffer, context: MeshContext, run: Run): Promise<HTTPGraphQLResponse>;
  /** Forgets everything learned (a new supergraph may mean new policies and new keys). */
  forget(): void;
};

export function createResponseShortcut(cache: MeshCache, options: { maxLearned?: number } = {}): ResponseShortcut {
  const { responseCache, dedupe } = cache.config;
  const learned = new LRUCache<string, Learned>({ max: options.maxLearned ?? 10_000 });

  const plugin: ApolloServerPlugin<MeshContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response, operation }) {
          if (operation?.operation !== 'query' || response.body.kind !== 'single') return;
          const { errors, extensions } = response.body.singleResult;
          if (!errors?.length && !extensions) cache.stateFor(contextValue).cleanAnswer = true;
        },
      };
    },
  };

  /** Runs the request in full; learns its keys when the answer was clean. */
  const runAndLearn = async (requestKey: string | undefined, context: MeshContext, run: Run) => {
    const response = await run();
    const state = cache.stateFor(context);
    const keys = state.responseKeys;
    const cleanAnswer = state.cleanAnswer && keys !== undefined && (response.status ?? 200) === 200 && response.body.kind === 'complete';
    if (!cleanAnswer) return { response, shared: null };
    const headers = [...response.headers].filter(([name]) => name !== 'cache-control');
    if (requestKey) learned.set(requestKey, { keys, headers });
    const personal = keys.rowChecks || state.perPrincipal || state.policy.scope === 'PRIVATE';
    const shared: Shared = { body: (response.body as { string: string }).string, headers: [...response.headers], personal, principalId: context.principal.id };
    return { response, shared };
  };

  return {
    plugin,
    forget: () => learned.clear(),
    async respond(req, body, context, run) {
      const requestKey = eligible(req, body) ? keyOf(req, body, context, cache) : undefined;
      const known = requestKey ? learned.get(requestKey) : undefined;
      // Keys learned under another supergraph (a request that was in flight across an update) are never used.
      if (!requestKey || !known || !known.keys.shared.startsWith(cache.namespace)) return (await runAndLearn(requestKey, context, run)).response;
      const { keys } = known;

      if (responseCache.enabled) {
        const records = await cache.store.get(keys.rowChecks ? [keys.personal] : [keys.shared, keys.personal]);
        const record = records.find((found) => found !== undefined);
        if (record) {
          cache.metrics.hits.inc({ layer: 'response', subgraph: '' });
          cache.metrics.frontDoor.inc({ outcome: 'hit' });
          const headers = new HeaderMap(known.headers);
          headers.set('cache-control', `max-age=${secondsLeft(record.expiresAt)}, ${record.scope.toLowerCase()}`);
          return { status: 200, headers, body: { kind: 'complete', string: `{"data":${record.json}}\n` } };
        }
        cache.metrics.misses.inc({ layer: 'response', subgraph: '' });
        cache.stateFor(context).responseKeysMissed = keys;
      }
      if (!dedupe.enabled) return (await runAndLearn(requestKey, context, run)).response;

      // Not the stage's in-flight key: the leader's own run passes through the stage's deduplication too.
      const flightKey = `h:${keys.rowChecks ? keys.personal : keys.shared}`;
      const settled = await cache.inflight.run(flightKey, () => runAndLearn(requestKey, context, run), (value) => value.shared);
      if (settled.leader) return settled.value.response;
      const shared = settled.shared as Shared;
      if (!shared || (shared.personal && shared.principalId !== context.principal.id)) return (await runAndLearn(requestKey, context, run)).response;
      cache.metrics.deduplicated.inc({ layer: 'response', subgraph: '' });
      cache.metrics.frontDoor.inc({ outcome: 'deduplicated' });
      return { status: 200, headers: new HeaderMap(shared.headers), body: { kind: 'complete', string: shared.body } };
    },
  };
}

/** Only plain JSON POSTs that do not ask for the cache status can be answered from what was learned. */
function eligible(req: IncomingMessage, body: Buffer): boolean {
  if (req.method !== 'POST' || !JSON_BODY.test(req.headers['content-type'] ?? '')) return false;
  const status = req.headers[CACHE_STATUS_HEADER];
  if (status !== undefined && status !== '0' && status !== 'false') return false;
  // The cacheStatus request extension asks for the status too; a body that mentions it at all takes the full path.
  return !body.includes('cacheStatus');
}

/** The request as this principal sent it: principal id, authorization fingerprint, accept header and exact body. */
function keyOf(req: IncomingMessage, body: Buffer, context: MeshContext, cache: MeshCache): string {
  const state = cache.stateFor(context);
  return `${state.fingerprint}:${hashOf(`${context.principal.id}\0${req.headers.accept ?? ''}\0${body.toString('utf8')}`)}`;
}
