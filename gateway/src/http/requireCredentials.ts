/**
 * For the operator routes (cache invalidation, subgraph registration, quality
 * runs): the context of a request that carries valid credentials, identified
 * as /graphql identifies it. Bad credentials are answered here (401 or 503,
 * with the challenge) and undefined is returned; no credentials at all is a
 * 401 naming the route. The request body is drained whenever it is refused.
 *
 * A route refuses an identified principal by throwing `RouteRefused` (403
 * FORBIDDEN with the rule that refused): the front door (server.ts) audits
 * every 403 a route answers, with that principal and rule, so a route cannot
 * refuse without a record.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../../subgraphs/lib/http';
import type { MeshContext } from '../context';
import { IdentityError, sendIdentityError } from '../identity/errors';

/** A 403 of an operator route: who was refused, by which rule (e.g. "scope supergraph:write"), and why. */
export class RouteRefused extends HttpError {
  constructor(readonly context: MeshContext, readonly rule: string, message: string) {
    super(403, 'FORBIDDEN', message);
  }
}

export async function requireCredentials(
  req: IncomingMessage,
  res: ServerResponse,
  createContext: (req: IncomingMessage) => Promise<MeshContext>,
  path: string,
): Promise<MeshContext | undefined> {
  let context: MeshContext;
  try {
    context = await createContext(req);
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    req.resume();
    sendIdentityError(res, error);
    return undefined;
  }
  if (context.principal.kind === 'anonymous') {
    req.resume();
    throw new HttpError(401, 'UNAUTHENTICATED', `${path} requires credentials (a token or an API key)`);
  }
  return context;
}
