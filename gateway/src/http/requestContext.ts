/**
 * Stage 2, Identify: builds the per-request context from the HTTP request.
 * Credentials are verified before the body is read; a bad or expired token
 * or an unknown API key is an IdentityError (HTTP 401), never a silent
 * anonymous principal.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { MeshContext } from '../context';
import { IdentityError } from '../identity/errors';
import type { Identify } from '../identity/identify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a client may choose as its request id: short, and only characters that are safe in logs, headers and SQL text. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const requestIds = new WeakMap<IncomingMessage, string>();

/**
 * The request's id: the client's `x-request-id` when it is acceptable (1 to 128 of A-Z a-z 0-9 . _ : -),
 * otherwise a fresh UUID. The same for the whole request (logs, audit records, subgraph requests).
 */
export function requestIdOf(req: IncomingMessage): string {
  let id = requestIds.get(req);
  if (id === undefined) {
    const given = req.headers[REQUEST_ID_HEADER];
    id = typeof given === 'string' && ACCEPTABLE_REQUEST_ID.test(given) ? given : randomUUID();
    requestIds.set(req, id);
  }
  return id;
}

export function clientOf(req: IncomingMessage): MeshContext['client'] {
  const name = req.headers['apollographql-client-name'] ?? req.headers['user-agent'];
  return { name: Array.isArray(name) ? name[0] : name, address: req.socket.remoteAddress };
}

export function requestContextFactory(identify: Identify) {
  return async (req: IncomingMessage): Promise<MeshContext> => ({
    principal: await identify(req.headers),
    requestId: requestIdOf(req),
    client: clientOf(req),
    _shield: { cache: {} }, cache: {},
  });
}

/**
 * For the routes that identify on their own (operator routes, /mcp): `createContext`, with each rejected
 * credential told to `onRejected` (the audit log) before the IdentityError goes on to be answered.
 */
export function reportingRejections(createContext: (req: IncomingMessage) => Promise<MeshContext>, onRejected: (error: IdentityError, req: IncomingMessage) => unknown) {
  return async (req: IncomingMessage): Promise<MeshContext> => {
    try {
      return await createContext(req);
    } catch (error) {
      if (error instanceof IdentityError) onRejected(error, req);
      throw error;
    }
  };
}
