/**
 * `POST /supergraph/subgraphs` with `{ "name": "gift_cards", "url": "http://…/graphql" }`:
 * a deployment tells the gateway about a new subgraph, or about a new URL for
 * one it knows (blue/green: start the new version, register it, stop the old
 * one). The gateway fetches its schema and status, recomposes, and answers:
 *
 * - 200 `{ "outcome": "updated" | "unchanged" }` when the supergraph now includes it;
 * - 409 `COMPOSITION_FAILED` with every composition error when it does not
 *   compose; nothing changes and the last good supergraph keeps serving.
 *
 * It needs an authenticated principal with the scope `supergraph:write`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { HttpError, readBody, sendJson } from '../../../subgraphs/lib/http';
import type { MeshContext } from '../context';
import { ERROR_CODES } from '../errors';
import type { Route } from '../http/server';
import { RouteRefused, requireCredentials } from '../http/requireCredentials';
import type { Logger } from '../logger';
import type { LiveSupergraph } from './LiveSupergraph';

export const REGISTRATION_PATH = '/supergraph/subgraphs';
export const SUPERGRAPH_WRITE_SCOPE = 'supergraph:write';

const Registration = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a subgraph name: letters, digits, "_" or "-", starting with a letter'),
    url: z.url({ protocol: /^https?$/ }),
  })
  .strict();

export function registrationRoute(options: { live: LiveSupergraph; logger: Logger; createContext(req: IncomingMessage): Promise<MeshContext> }): Route {
  return {
    method: 'POST',
    path: REGISTRATION_PATH,
    async handle(req: IncomingMessage, res: ServerResponse) {
      const context = await requireCredentials(req, res, options.createContext, REGISTRATION_PATH);
      if (!context) return;
      const { principal } = context;
      if (!principal.scopes.includes(SUPERGRAPH_WRITE_SCOPE)) {
        req.resume();
        throw new RouteRefused(context, `scope ${SUPERGRAPH_WRITE_SCOPE}`, `Registering a subgraph requires the scope ${SUPERGRAPH_WRITE_SCOPE}`);
      }
      let body: z.infer<typeof Registration>;
      try {
        body = Registration.parse(JSON.parse((await readBody(req, 16 * 1024)).toString('utf8') || 'null'));
      } catch (error) {
        const problems = error instanceof z.ZodError ? error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ') : (error as Error).message;
        throw new HttpError(400, 'BAD_REQUEST', `Invalid registration: ${problems} (expected { "name": "...", "url": "http://.../graphql" })`);
      }
      const outcome = await options.live.register(body.name, body.url);
      options.logger.info({ subgraph: body.name, url: body.url, principal: principal.id, outcome: outcome.kind, requestId: context.requestId }, 'subgraph registration');
      if (outcome.kind === 'refused') {
        return sendJson(res, ERROR_CODES.COMPOSITION_FAILED.status, {
          errors: [
            {
              message: `The supergraph with ${body.name} at ${body.url} does not compose; nothing changed:\n${outcome.errors.map((error) => `  - ${error}`).join('\n')}`,
              extensions: { code: 'COMPOSITION_FAILED', compositionErrors: outcome.errors },
            },
          ],
        });
      }
      sendJson(res, 200, { outcome: outcome.kind, ...(outcome.kind === 'updated' ? { changed: outcome.changed } : {}) });
    },
  };
}
