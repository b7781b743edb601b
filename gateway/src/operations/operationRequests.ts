/**
 * Receive stage, persisted-operation lookup: before anything reads or keys on
 * the query text (the response shortcut, Apollo Server, the caches), a request
 * that names an official operation by id gets that operation's document, and a
 * principal that may run official operations only is refused anything else.
 *
 * Ids, in either form (sha256 hex of the document, as in the manifest):
 * - `documentId` (GraphQL over HTTP draft), bare or as "sha256:<hex>";
 * - Apollo's `extensions.persistedQuery.sha256Hash` (version 1).
 * The request is rewritten to carry `query` (the official document), its
 * `operationName`, variables and other extensions; the id fields are dropped,
 * so Apollo Server (automatic persisted queries off unless configured) sees a
 * plain request, and the shortcut and the caches key on what will run.
 *
 * Guarantees:
 * - A `documentId` never travels with a `query`: both is a 400, so no ad-hoc
 *   text can ride on an official id. A `persistedQuery` hash with a `query` must
 *   be that query's sha256 (400 otherwise); such a request is the query text,
 *   official only if that text is an official document byte for byte.
 * - An unknown id is a 404 PERSISTED_QUERY_NOT_FOUND naming it (Apollo
 *   Client's persisted-query link then retries with the text), unless
 *   run-time registration is configured, when Apollo Server's APQ cache may
 *   know it (a registered document is still ad-hoc for the rules below).
 * - For a principal without the right to ad-hoc queries (operations/config.ts),
 *   anything that is not an official operation (a query text that is not one,
 *   a batch, a body that is not JSON) is refused with 403
 *   OPERATION_NOT_OFFICIAL before it is parsed, and the refusal is audited.
 * - When it read a body, it hands on exactly what it read (re-serialized), so
 *   no later JSON parse can see a different request than the one it judged.
 * Never: parse a GraphQL document (the token limit applies only later), nor
 * change a request from a principal that may run ad-hoc queries and names no id.
 *
 * Written here, in front of Apollo Server, because Apollo Server has only
 * automatic persisted queries (open registration, no safelist: Apollo's
 * safelisting lives in its Router), and the response shortcut answers before
 * Apollo Server runs at all: ids must be resolved, and refusals made, before it.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../../subgraphs/lib/http';
import type { MeshContext } from '../context';
import { adHocDecision, type OperationsConfig } from './config';
import type { OfficialOperation } from './officialOperations';

/** What the front door runs: the (maybe rewritten) body and URL query string, and the official operation it is, if one. */
export type ResolvedRequest = { body: Buffer; search: string; official?: OfficialOperation };

/** A refusal of an operation that is not official, for the audit log. */
export type NotOfficialRefusal = { context: Who; operationName: string | null; operationHash: string | null; reason: string };

/** The parts of the request context this stage reads: who asks (and, for the audit record, the request's id, client and MCP tool). */
type Who = Pick<MeshContext, 'principal' | 'requestId' | 'client' | 'tool'>;

export class OperationRequestError extends HttpError {}

type Fields = GraphQLRequestFields;
type Carrier = { fields: Fields; write(fields: Fields): Pick<ResolvedRequest, 'body' | 'search'> };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const JSON_TYPE = /^application\/(graphql-response\+)?json\b/i;
const HEX_ID = /^[0-9a-f]{64}$/;
const bad = (message: string) => new OperationRequestError(400, 'BAD_REQUEST', message);

export type OperationRequestsOptions = {
  operations: readonly OfficialOperation[];
  config: Pick<OperationsConfig, 'officialOnlyRoles' | 'sandboxRoles' | 'otherPrincipals' | 'registration'>;
  /** Told of each refused non-official operation before the answer goes out; the answer waits for what it returns. */
  onNotOfficial?(refusal: NotOfficialRefusal): unknown;
};

/** A GraphQL request as an object (a JSON body, a GET's parameters, a graphql-ws subscribe payload). */
export type GraphQLRequestFields = { query?: unknown; documentId?: unknown; operationName?: unknown; extensions?: unknown; [key: string]: unknown };

export type OperationRequests = {
  /** The official operation with this id (sha256 hex), if any. */
  byId(id: string): OfficialOperation | undefined;
  /** An HTTP request (/graphql, and the MCP tools that take its path): its body and query string to run. */
  resolve(request: { method: string; contentType?: string; search: string; body: Buffer }, context: Who): Promise<ResolvedRequest>;
  /**
   * A request that is already an object, for transports that carry one past the HTTP body (graphql-ws's subscribe
   * payload): the same rules; the fields to run (the id replaced by its document), or an OperationRequestError.
   */
  resolveFields(fields: GraphQLRequestFields, context: Who): Promise<{ fields: GraphQLRequestFields; official?: OfficialOperation }>;
};

export function createOperationRequests({ operations, config, onNotOfficial }: OperationRequestsOptions): OperationRequests {
  const byId = new Map(operations.map((operation) => [operation.id, operation]));

  const refuse = async (context: Who, because: string, fields?: Fields): Promise<never> => {
    const query = typeof fields?.query === 'string' ? fields.query : undefined;
    const reason = `This is not an official operation, and ${because}: run one by id (documentId or extensions.persistedQuery.sha256Hash, listed in the manifest from npm run operations -- publish)`;
    await onNotOfficial?.({ context, operationName: typeof fields?.operationName === 'string' ? fields.operationName : null, operationHash: query === undefined ? null : sha256(query), reason });
    throw new OperationRequestError(403, 'OPERATION_NOT_OFFICIAL', reason);
  };

  /** The rules, on a request's fields: what to run instead, and the official operation it is. */
  const resolveFields = async (fields: GraphQLRequestFields, context: Who, decision = adHocDecision(config, context.principal)): Promise<{ fields: GraphQLRequestFields; official?: OfficialOperation }> => {
    const id = requestedId(fields);
    if (id !== undefined) {
      const official = byId.get(id);
      if (official) {
        if (fields.operationName != null && fields.operationName !== official.name) throw bad(`operationName ${JSON.stringify(fields.operationName)} is not the operation with id ${id} (${official.name})`);
        return { fields: { ...fields, query: official.document, documentId: undefined, extensions: withoutPersistedQuery(fields.extensions) }, official };
      }
      // With registration configured, Apollo Server's APQ cache may hold it (registered documents are ad-hoc).
      if (config.registration.enabled && fields.documentId === undefined) return decision.allowed ? { fields } : refuse(context, decision.because, fields);
      throw new OperationRequestError(404, 'PERSISTED_QUERY_NOT_FOUND', `No official operation has id ${id}; the ids are the sha256 of each operation's document, listed in the manifest (npm run operations -- publish)`);
    }
    // A query text: official only if it is an official document exactly.
    const official = typeof fields.query === 'string' ? byId.get(sha256(fields.query)) : undefined;
    if (!official && !decision.allowed) return refuse(context, decision.because, fields);
    // Without registration, a hash beside the text (APQ's second try) only had to match it; Apollo Server never sees it.
    const extensions = config.registration.enabled ? fields.extensions : withoutPersistedQuery(fields.extensions);
    return { fields: { ...fields, extensions }, ...(official && { official }) };
  };

  return {
    byId: (id) => byId.get(id),
    resolveFields: (fields, context) => resolveFields(fields, context),
    async resolve(request, context) {
      const decision = adHocDecision(config, context.principal);
      const { body, search } = request;
      // The common case costs a byte search: a principal free to run ad-hoc queries, naming no id.
      if (decision.allowed && !mentionsId(body, search)) return { body, search };
      const carrier = carrierOf(request);
      if (!carrier) return decision.allowed ? { body, search } : refuse(context, decision.because);
      const resolved = await resolveFields(carrier.fields, context, decision);
      return { ...carrier.write(resolved.fields), ...(resolved.official && { official: resolved.official }) };
    },
  };
}

/**
 * Whether the body or the query string may name an id. A key spelled with JSON escapes reaches Apollo Server as is:
 * refused there while APQ is off, and only ever from a principal free to run ad-hoc queries.
 */
function mentionsId(body: Buffer, search: string): boolean {
  if (body.includes('documentId') || body.includes('persistedQuery')) return true;
  if (!search) return false;
  const params = new URLSearchParams(search);
  return params.has('documentId') || params.getAll('extensions').some((text) => text.includes('persistedQuery'));
}

/** The id the request names (documentId or the persistedQuery hash, checked against each other and the query), or undefined. */
function requestedId(fields: Fields): string | undefined {
  const persisted = persistedQueryOf(fields.extensions);
  if (fields.documentId !== undefined && fields.documentId !== null) {
    if (typeof fields.documentId !== 'string') throw bad('documentId must be a string');
    if (fields.query !== undefined && fields.query !== null) throw bad('Send documentId or query, not both: an official operation is run by its id alone');
    const id = fields.documentId.startsWith('sha256:') ? fields.documentId.slice('sha256:'.length) : fields.documentId;
    if (!HEX_ID.test(id)) throw bad(`documentId ${JSON.stringify(fields.documentId)} is not a sha256 id (64 lower-case hex digits, optionally after "sha256:")`);
    if (persisted !== undefined && persisted !== id) throw bad('documentId and extensions.persistedQuery.sha256Hash name different documents');
    return id;
  }
  if (persisted === undefined) return undefined;
  if (typeof fields.query === 'string') {
    if (sha256(fields.query) !== persisted) throw bad('extensions.persistedQuery.sha256Hash is not the sha256 of the query sent with it');
    return undefined;
  }
  if (fields.query !== undefined && fields.query !== null) throw bad('query must be a string');
  return persisted;
}

function persistedQueryOf(extensions: unknown): string | undefined {
  if (!isObject(extensions) || extensions.persistedQuery === undefined) return undefined;
  const persisted = extensions.persistedQuery;
  if (!isObject(persisted) || persisted.version !== 1 || typeof persisted.sha256Hash !== 'string') throw bad('extensions.persistedQuery must be { version: 1, sha256Hash: "<sha256 hex>" }');
  if (!HEX_ID.test(persisted.sha256Hash)) throw bad('extensions.persistedQuery.sha256Hash is not a sha256 hex digest (64 lower-case hex digits)');
  return persisted.sha256Hash;
}

function withoutPersistedQuery(extensions: unknown): unknown {
  if (!isObject(extensions) || !('persistedQuery' in extensions)) return extensions;
  const { persistedQuery: _dropped, ...rest } = extensions;
  return Object.keys(rest).length ? rest : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The request's fields and how to write them back: a JSON POST body, or GET's query string; undefined for anything else. */
function carrierOf({ method, contentType, search, body }: { method: string; contentType?: string; search: string; body: Buffer }): Carrier | undefined {
  if (method === 'GET' || method === 'HEAD') {
    const params = new URLSearchParams(search);
    const single = (name: string) => (params.getAll(name).length > 1 ? bad(`${name} is given more than once`) : (params.get(name) ?? undefined));
    const values = ['query', 'documentId', 'operationName', 'extensions'].map(single);
    const error = values.find((value): value is OperationRequestError => value instanceof OperationRequestError);
    if (error) throw error;
    const [query, documentId, operationName, extensions] = values as (string | undefined)[];
    let parsedExtensions: unknown;
    try {
      parsedExtensions = extensions === undefined ? undefined : JSON.parse(extensions);
    } catch {
      throw bad('The extensions parameter is not valid JSON');
    }
    return {
      fields: { query, documentId, operationName, extensions: parsedExtensions },
      write(fields) {
        const next = new URLSearchParams(search);
        for (const [name, value] of [['query', fields.query], ['documentId', fields.documentId], ['operationName', fields.operationName]] as const) {
          if (typeof value === 'string') next.set(name, value);
          else next.delete(name);
        }
        if (fields.extensions === undefined) next.delete('extensions');
        else next.set('extensions', JSON.stringify(fields.extensions));
        const text = next.toString();
        return { body, search: text ? `?${text}` : '' };
      },
    };
  }
  if (method !== 'POST' || !contentType || !JSON_TYPE.test(contentType) || body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw bad(`Request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) return undefined;
  return {
    fields: parsed,
    write: (fields) => ({ body: Buffer.from(JSON.stringify(fields)), search }),
  };
}

/** Resolves a /graphql request in place: the body to run, and `req.url` rewritten when a GET's query string changed. */
export async function resolveHttpRequest(requests: OperationRequests, req: IncomingMessage, body: Buffer, context: Who): Promise<Buffer> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const contentType = req.headers['content-type'];
  const resolved = await requests.resolve({ method: (req.method ?? 'GET').toUpperCase(), contentType, search: url.search, body }, context);
  if (resolved.search !== url.search) req.url = `${url.pathname}${resolved.search}`;
  return resolved.body;
}
