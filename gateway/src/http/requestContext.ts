/**
 * Stage 2, Identify: builds the per-request context from the HTTP request.
 * Credentials are verified before the body is read; a bad or expired token
 * or an unknown API key is an IdentityError (HTTP 401), never a silent
 * anonymous principal.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { MeshContext } from '../context';
import type { Identify } from '../identity/identify';

export function clientOf(req: IncomingMessage): MeshContext['client'] {
  const name = req.headers['apollographql-client-name'] ?? req.headers['user-agent'];
  return { name: Array.isArray(name) ? name[0] : name, address: req.socket.remoteAddress };
}

export function requestContextFactory(identify: Identify) {
  return async (req: IncomingMessage): Promise<MeshContext> => ({
    principal: await identify(req.headers),
    requestId: randomUUID(),
    client: clientOf(req),
    _shield: { cache: {} }, cache: {},
  });
}
