/**
 * The HTTP caching headers of every GraphQL answer, decided last, at the HTTP
 * front door (http/server.ts), whatever produced the answer: Apollo Server's
 * cache-control plugin from the subgraphs' hints, or the response shortcut
 * from its store. Subgraph hints describe the data; who may keep a copy of an
 * answer depends on who asked, which only the gateway knows.
 *
 * Guarantees:
 * - an answer for an authenticated principal, or one that carries a field a
 *   subgraph classifies as PII (`@pii`), is never `public`: a shared cache (a
 *   CDN, a corporate proxy) must not keep it; `max-age=N, public` becomes
 *   `max-age=N, private`. Anonymous answers without PII may stay public;
 * - an answer that is not a clean 200 (errors, denials, 4xx and 5xx) is
 *   `no-store`: a denial or a failure is about this request, not the data;
 * - every answer varies on the credential headers (`Authorization`,
 *   `x-api-key`), besides what it already varied on (`Accept`): a browser's
 *   cache never hands one principal's answer to a request with other
 *   credentials, and an anonymous public answer is never reused for an
 *   authenticated request.
 *
 * It must never loosen a header: `no-store` stays, `private` stays.
 */
import { BREAK, Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { ApolloServerPlugin, HTTPGraphQLResponse } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import { readSupergraphFacts } from '../authorization/supergraphFacts';
import type { MeshContext } from '../context';
import { isAuthenticated } from '../identity/principal';

export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;
const NO_STORE = 'no-store';

/** Requests whose operation selects a PII field, by their context's shared cache object (Apollo Server copies the context). */
const carryingPii = new WeakSet<object>();

/** Whether an answer may carry personal data: it selects a field a subgraph classified as PII. */
export const carriesPii = (context: MeshContext) => carryingPii.has(context.cache);

/** The `Cache-Control` value for an answer, given what the hints allowed (`max-age=N, public|private` or `no-store`). */
export function cacheControlFor(allowed: string | undefined, answer: { status: number; clean: boolean; authenticated: boolean; pii: boolean }): string {
  if (answer.status !== 200 || !answer.clean || !allowed) return NO_STORE;
  const match = /^max-age=(\d+), (public|private)$/.exec(allowed.trim());
  if (!match || match[1] === '0') return NO_STORE;
  const scope = match[2] === 'private' || answer.authenticated || answer.pii ? 'private' : 'public';
  return `max-age=${match[1]}, ${scope}`;
}

/** `vary` with the credential headers added to what it already names. */
export function varyWithCredentials(vary: string | undefined): string {
  const names = (vary ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const lower = new Set(names.map((name) => name.toLowerCase()));
  if (lower.has('*')) return '*';
  for (const header of CREDENTIAL_HEADERS) if (!lower.has(header)) names.push(header);
  return names.join(', ');
}

/**
 * The answer with its final caching headers. Apollo Server (and the shortcut)
 * write `no-store` for answers with errors, so a cacheable value here means a
 * clean answer; a status other than 200 is never stored whatever it says.
 */
export function withHttpCacheHeaders(response: HTTPGraphQLResponse, context: MeshContext): HTTPGraphQLResponse {
  const allowed = response.headers.get('cache-control');
  response.headers.set(
    'cache-control',
    cacheControlFor(allowed, { status: response.status ?? 200, clean: allowed !== NO_STORE, authenticated: isAuthenticated(context.principal), pii: carriesPii(context) }),
  );
  response.headers.set('vary', varyWithCredentials(response.headers.get('vary')));
  return response;
}

/**
 * The fields each subgraph classifies as PII, read from the supergraph, and
 * an Apollo Server plugin that marks anonymous requests whose operation
 * selects one (authenticated answers are private anyway). Fragments are
 * visited once each, never expanded: the walk is linear in the document.
 */
export class PiiClassification {
  private fields = new Set<string>();
  private readonly byOperation = new LRUCache<string, boolean>({ max: 2000 });

  update(coreSupergraphSdl: string) {
    const fields = new Set<string>();
    for (const [coordinate, facts] of readSupergraphFacts(coreSupergraphSdl).fields()) if (facts.pii) fields.add(coordinate);
    this.fields = fields;
    this.byOperation.clear();
  }

  selectsPii(document: DocumentNode, schema: GraphQLSchema, queryHash: string): boolean {
    if (this.fields.size === 0) return false;
    let found = this.byOperation.get(queryHash);
    if (found === undefined) {
      found = false;
      const typeInfo = new TypeInfo(schema);
      const fields = this.fields;
      visit(
        document,
        visitWithTypeInfo(typeInfo, {
          [Kind.FIELD]: (node) => {
            const parent = typeInfo.getParentType();
            if (!parent || !fields.has(`${parent.name}.${node.name.value}`)) return undefined;
            found = true;
            return BREAK;
          },
        }),
      );
      this.byOperation.set(queryHash, found);
    }
    return found;
  }

  plugin(): ApolloServerPlugin<MeshContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ contextValue, document, schema, queryHash }) => {
          if (!isAuthenticated(contextValue.principal) && this.selectsPii(document, schema, queryHash)) carryingPii.add(contextValue.cache);
        },
      }),
    };
  }
}
