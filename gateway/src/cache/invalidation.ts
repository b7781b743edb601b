/**
 * Invalidation, from two sources, in both layers and on every instance:
 *
 * - `useMutationInvalidation`, a stage inside authorization: a mutation's
 *   operation gets the cache's tag fields (entityTags.ts), and every entity it
 *   returns is dropped by typename and key (the whole type when the mutation's
 *   selection did not include the key) before the client gets the answer, so
 *   its next read sees the change;
 * - `POST /cache/invalidate` for domains, e.g. after a batch load:
 *   `{ "entities": [{ "typename": "Customer", "key": { "id": "42" } }], "types": ["Product"] }`.
 *   It needs an authenticated principal with the scope `cache:invalidate`, or
 *   one that belongs to a domain owning fields of every type named (the types'
 *   owners come from the supergraph). Unknown types or keys are a 400 naming them.
 *
 * Invalidation never fails a mutation: a cache backend that is away is skipped
 * (and the invalidation replayed when it is back).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { print } from 'graphql';
import { z } from 'zod';
import type { MeshContext } from '../context';
import type { ExecutionStage } from '../execution/MeshGateway';
import type { Route } from '../http/server';
import { RouteRefused, requireCredentials } from '../http/requireCredentials';
import type { Logger } from '../logger';
import { HttpError, readBody, sendJson } from '../../../subgraphs/lib/http';
import { collectTags, invalidationTagsOf, withTagFields } from './entityTags';
import { hashOf } from './keys';
import type { MeshCache } from './MeshCache';

export const INVALIDATE_PATH = '/cache/invalidate';
export const INVALIDATE_SCOPE = 'cache:invalidate';

export function useMutationInvalidation(cache: MeshCache, logger: Logger): ExecutionStage {
  return (next) => async (requestContext) => {
    if (requestContext.operation?.operation !== 'mutation') return next(requestContext);
    const document = withTagFields(requestContext.document, requestContext.schema, cache.entityTypes);
    let rewritten = requestContext;
    if (document !== requestContext.document) {
      const source = print(document);
      rewritten = { ...requestContext, document, source, queryHash: hashOf(source, 64) };
    }
    const result = await next(rewritten);
    const tags = invalidationTagsOf(collectTags(result.data, cache.entityTypes, Number.POSITIVE_INFINITY));
    if (tags.length) {
      const { removed } = await cache.invalidateTags(tags, 'mutation');
      logger.debug({ tags, removed, requestId: (requestContext.context as MeshContext).requestId }, 'mutation invalidated cached entities');
    }
    return result;
  };
}

const InvalidateBody = z
  .object({
    entities: z.array(z.object({ typename: z.string().min(1), key: z.record(z.string(), z.union([z.string(), z.number()])) }).strict()).max(10_000).optional(),
    types: z.array(z.string().min(1)).max(1000).optional(),
  })
  .strict()
  .refine((body) => (body.entities?.length ?? 0) + (body.types?.length ?? 0) > 0, 'give at least one of "entities" or "types"');

export type InvalidationRouteOptions = {
  cache: MeshCache;
  logger: Logger;
  /** The same identification as /graphql (JWT or API key). */
  createContext(req: IncomingMessage): Promise<MeshContext>;
};

export function invalidationRoute(options: InvalidationRouteOptions): Route {
  const { cache, logger } = options;
  return {
    method: 'POST',
    path: INVALIDATE_PATH,
    async handle(req: IncomingMessage, res: ServerResponse) {
      const context = await requireCredentials(req, res, options.createContext, INVALIDATE_PATH);
      if (!context) return;
      const { principal } = context;
      const raw = await readBody(req, 1_048_576);
      let body: z.infer<typeof InvalidateBody>;
      try {
        body = InvalidateBody.parse(JSON.parse(raw.toString('utf8') || 'null'));
      } catch (error) {
        const problems = error instanceof z.ZodError ? error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ') : (error as Error).message;
        throw new HttpError(400, 'BAD_REQUEST', `Invalid invalidation request: ${problems}`);
      }

      const entityTypes = cache.entityTypes;
      const problems: string[] = [];
      const typenames = new Set([...(body.types ?? []), ...(body.entities ?? []).map((entity) => entity.typename)]);
      for (const typename of typenames) if (!entityTypes.has(typename)) problems.push(`"${typename}" is not an entity type of the supergraph`);
      for (const [i, { typename, key }] of (body.entities ?? []).entries()) {
        const keys = entityTypes.get(typename)?.keys;
        if (keys && !keys.some((fields) => fields.length === Object.keys(key).length && fields.every((field) => field in key))) {
          problems.push(`entities.${i}.key: expected the fields of a key of ${typename} (${keys.map((fields) => fields.join(' ')).join(' | ')}), got ${Object.keys(key).join(' ') || 'none'}`);
        }
      }
      if (problems.length) throw new HttpError(400, 'BAD_REQUEST', `Invalid invalidation request: ${problems.join('; ')}`);

      if (!principal.scopes.includes(INVALIDATE_SCOPE)) {
        const refused = [...typenames].filter((typename) => !entityTypes.get(typename)!.owners.some((owner) => principal.domains.includes(owner)));
        if (refused.length) {
          throw new RouteRefused(
            context,
            `scope ${INVALIDATE_SCOPE} or an owning domain`,
            `Not allowed to invalidate ${refused.map((typename) => `${typename} (owned by ${entityTypes.get(typename)!.owners.join(', ')})`).join(', ')}: needs the scope ${INVALIDATE_SCOPE} or membership of an owning domain`,
          );
        }
      }
      const { tags, removed } = await cache.invalidate({ entities: body.entities, types: body.types }, 'endpoint');
      logger.info({ principal: principal.id, entities: body.entities?.length ?? 0, types: body.types ?? [], removed, requestId: context.requestId }, 'cache invalidated through the endpoint');
      sendJson(res, 200, { invalidated: { entities: body.entities?.length ?? 0, types: body.types ?? [] }, tags: tags.length, removed });
    },
  };
}
