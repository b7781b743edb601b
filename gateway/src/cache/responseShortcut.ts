/**
 * The response cache's and query deduplication's front door: a request the
 * gateway has already answered cleanly, in full, is served from the cache or
 * joins an identical request in flight before Apollo Server's pipeline runs
 * at all: no parsing, validation, authorization, planning or serialization,
 * only a store lookup and the stored text.
 *
 * Guarantees, by construction:
 * - It replays only what a client was sent: its entries (`<ns>d:` keys) hold
 *   the body text of a completed answer as Apollo Server wrote it, after
 *   authorization completed it (nulls at denied paths, row-level rules,
 *   helper fields removed). It never reads the response cache stage's
 *   entries, which are results before completion, and it refuses to store a
 *   body in which a reserved helper key (`mg__…`) appears.
 * - It stores only clean answers: a query, HTTP 200, one complete body, no
 *   errors (so no denied field), no extensions (no deprecation warning). An
 *   operation served with @defer is never one: its answer is multipart (a
 *   chunked body) and its parts leave no response-cache facts to store under.
 * - Row-level checks always take the full pipeline: an answer whose
 *   operation carried them is never stored, learned or shared here, so each
 *   such request is completed for its own principal (useResponseCache.ts may
 *   still reuse the data before completion, per principal).
 * - An answer that depended on who asked (a PRIVATE hint, a per-principal
 *   subgraph) is stored under the principal's own scope (fingerprint, id and
 *   email); others under the authorization fingerprint, with the operation
 *   after authorization (which names every rule's decision), its name and the
 *   coerced variables: the terms the response cache stage keys by.
 * - It serves nothing it has not learned: a request is answered here only if
 *   the very same request (same principal claims, `accept` header and body
 *   bytes) went through the full pipeline cleanly before, under the current
 *   supergraph. A body is keyed by its exact bytes, never by a parse of its
 *   variables, so two spellings never collide with a different value, and a
 *   body that did not coerce (`{"n": 1e400}`) never went through, so it is
 *   never answered here. What is learned is dropped when the supergraph (and
 *   with it the policies) changes.
 *
 * Anything else (a first request, GET, a client asking for the cache status)
 * takes the full pipeline. A hit answers the stored text and a newline, as
 * Apollo Server does, with the learned answer's headers and a Cache-Control
 * header from the entry's time left (http/server.ts then makes it private for
 * authenticated principals, httpCacheHeaders.ts). Followers of a request in
 * flight get the leader's completed answer only when the leader's answer
 * would have been stored under the key they joined on.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HeaderMap, type ApolloServerPlugin, type HTTPGraphQLResponse } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import type { MeshContext } from '../context';
import { HELPER_PREFIX } from '../authorization/authorizeOperation';
import { secondsLeft, type CacheScope } from './cachePolicy';
import { hashOf } from './keys';
import type { MeshCache } from './MeshCache';
import { carriesPii } from './httpCacheHeaders';
import { CACHE_STATUS_HEADER } from './useResponseCache';

/** What a request taught: the entry its completed answer lives under, and the answer's headers. */
type Learned = { entryKey: string; headers: [string, string][] };
/** A completed answer that may be stored (and shared with followers) under `entryKey`. */
type Storable = { entryKey: string; body: string; headers: [string, string][]; scope: CacheScope; maxAge: number; tags: string[] };
type Run = () => Promise<HTTPGraphQLResponse>;

const JSON_BODY = /^application\/json\b/i;
/** A reserved helper key in a JSON text: a key starts after `{` or `,`, where a quote inside a string is always escaped. */
const HELPER_KEY = new RegExp(`[{,]"${HELPER_PREFIX}`);

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

  /** The completed answer and where it may be stored, or null when it must not be stored or shared. */
  const storableOf = (response: HTTPGraphQLResponse, context: MeshContext): Storable | null => {
    const state = cache.stateFor(context);
    const facts = state.response;
    if (!state.cleanAnswer || !facts || facts.rowChecks || (response.status ?? 200) !== 200 || response.body.kind !== 'complete') return null;
    const body = response.body.string;
    if (HELPER_KEY.test(body)) return null;
    const contentType = response.headers.get('content-type') ?? '';
    const entryKey = `${cache.namespace}d:{${hashOf(`${facts.base}\0${contentType}`)}}:${facts.personal ? state.personalScope : state.fingerprint}`;
    const privateAnswer = facts.personal || carriesPii(context) || /\bprivate\b/.test(response.headers.get('cache-control') ?? '');
    const headers = [...response.headers].filter(([name]) => name !== 'cache-control');
    return { entryKey, body: body.trimEnd(), headers, scope: privateAnswer ? 'PRIVATE' : 'PUBLIC', maxAge: facts.hint.maxAge, tags: facts.tags };
  };

  /** Runs the request in full; stores and learns its completed answer when it may. */
  const runAndLearn = async (requestKey: string | undefined, context: MeshContext, run: Run) => {
    const response = await run();
    const storable = storableOf(response, context);
    if (!storable) {
      // What this request taught before no longer holds (its answer now has errors, or row-level checks).
      if (requestKey) learned.delete(requestKey);
      return { response, storable };
    }
    if (requestKey) learned.set(requestKey, { entryKey: storable.entryKey, headers: storable.headers });
    if (responseCache.enabled && storable.maxAge > 0) {
      void cache.store.set([{ key: storable.entryKey, json: storable.body, expiresAt: Date.now() + storable.maxAge * 1000, scope: storable.scope, tags: storable.tags }]);
      cache.metrics.writes.inc({ layer: 'response', subgraph: '' });
    }
    return { response, storable };
  };

  return {
    plugin,
    forget: () => learned.clear(),
    async respond(req, body, context, run) {
      const requestKey = eligible(req, body) ? keyOf(req, body, context, cache) : undefined;
      const known = requestKey ? learned.get(requestKey) : undefined;
      // Entries learned under another supergraph (a request that was in flight across an update) are never used.
      if (!requestKey || !known || !known.entryKey.startsWith(cache.namespace)) return (await runAndLearn(requestKey, context, run)).response;

      if (responseCache.enabled) {
        const [record] = await cache.store.get([known.entryKey]);
        if (record) {
          cache.metrics.hits.inc({ layer: 'response', subgraph: '' });
          cache.metrics.frontDoor.inc({ outcome: 'hit' });
          const headers = new HeaderMap(known.headers);
          headers.set('cache-control', `max-age=${secondsLeft(record.expiresAt)}, ${record.scope.toLowerCase()}`);
          return { status: 200, headers, body: { kind: 'complete', string: `${record.json}\n` } };
        }
        cache.metrics.misses.inc({ layer: 'response', subgraph: '' });
      }
      if (!dedupe.enabled) return (await runAndLearn(requestKey, context, run)).response;

      // Only requests that learned the same entry key join: same terms, same rights (or the same principal for personal ones).
      const settled = await cache.inflight.run(`d:${known.entryKey}`, () => runAndLearn(requestKey, context, run), (value) =>
        value.storable?.entryKey === known.entryKey ? value.storable : null,
      );
      if (settled.leader) return settled.value.response;
      const shared = settled.shared;
      if (!shared) return (await runAndLearn(requestKey, context, run)).response;
      cache.metrics.deduplicated.inc({ layer: 'response', subgraph: '' });
      cache.metrics.frontDoor.inc({ outcome: 'deduplicated' });
      const headers = new HeaderMap(shared.headers);
      headers.set('cache-control', shared.maxAge > 0 ? `max-age=${shared.maxAge}, ${shared.scope.toLowerCase()}` : 'no-store');
      return { status: 200, headers, body: { kind: 'complete', string: `${shared.body}\n` } };
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

/** The request as this principal sent it: its rights and identity (personalScope), accept header and exact body bytes. */
function keyOf(req: IncomingMessage, body: Buffer, context: MeshContext, cache: MeshCache): string {
  const state = cache.stateFor(context);
  const digest = createHash('sha256').update(req.headers.accept ?? '').update('\0').update(body).digest('base64url');
  return `${state.personalScope}:${digest}`;
}
