/**
 * For the operator routes (cache invalidation, subgraph registration, quality
 * runs): the context of a request that carries valid credentials, identified
 * as /graphql identifies it. Bad credentials are answered here (401 or 503,
 * with the challenge) and undefined is returned; no credentials at all is a
 * 401 naming the route. The request body is drained whenever it is refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../../subgraphs/lib/http';
import type { MeshContext } from '../context';
import { IdentityError, sendIdentityError } from '../identity/errors';

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
