/**
 * A minimal bridge from node:http to Apollo Server, shared by the subgraphs and
 * the gateway. It owns body reading with a size limit and turns bad bodies into
 * GraphQL-shaped 4xx responses, so a malformed request never becomes a 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) {
    req.resume();
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      req.resume();
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limitBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (!contentType || !/^application\/(graphql-response\+)?json\b/i.test(contentType)) {
    // Apollo Server answers 400 for non-JSON POSTs itself (its CSRF protection relies on that).
    return undefined;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'BAD_REQUEST', `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendGraphQLError(res: ServerResponse, error: HttpError) {
  sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] }, error.headers);
}

export function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** Runs one HTTP request through Apollo Server (`body` is the already-read raw body) and writes its answer. */
export async function executeApolloRequest<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  context: () => Promise<TContext>,
) {
  await sendApolloResponse(res, await runApolloRequest(server, req, body, context));
}

/** Runs one HTTP request through Apollo Server and returns its answer, unsent (the gateway's response shortcut keeps it). */
export function runApolloRequest<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  req: IncomingMessage,
  body: Buffer,
  context: () => Promise<TContext>,
): Promise<HTTPGraphQLResponse> {
  const headers = headerMapOf(req);
  const url = new URL(req.url ?? '/', 'http://localhost');
  return server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search: url.search,
      body: parseJsonBody(body, headers.get('content-type')),
    },
    context,
  });
}

export async function sendApolloResponse(res: ServerResponse, response: HTTPGraphQLResponse) {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
