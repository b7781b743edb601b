/**
 * The data source signs every subgraph request with the principal of the
 * request's context (issue #3), fresh on each retry, over the exact body sent,
 * for this subgraph only (issue 13).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, SignedRequestVerifier } from '../../../subgraphs/lib/signing';
import type { Principal } from '../identity/principal';
import { SubgraphDataSource } from './SubgraphDataSource';

const keys = generateKeyPairSync('ed25519');
const signingKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ada: Principal = { id: 'u-1', kind: 'user', email: 'ada@example.com', roles: ['analyst'], scopes: ['pii:read'], domains: ['sales'], authenticatedBy: 'jwt' };

type Seen = { headers: IncomingHttpHeaders; body: string };
let server: Server;
let url: string;
const seen: Seen[] = [];
let failuresBeforeSuccess = 0;
/** What the test subgraph answers after the failures: a GraphQL answer with a cache hint, or an HTML error page. */
let answer: 'graphql' | 'html' = 'graphql';
/** How long the test subgraph takes to answer. */
let delayMs = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      if (failuresBeforeSuccess-- > 0) return void res.writeHead(503).end();
      if (answer === 'html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=30, private' }).end('{"data":{"ok":true}}'), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  seen.splice(0);
  failuresBeforeSuccess = 0;
  answer = 'graphql';
  delayMs = 0;
});

const send = (dataSource: SubgraphDataSource, context: Record<string, unknown>, headers: Record<string, string> = {}) =>
  dataSource.process({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query: '{ ok }', variables: { a: 1 }, http: { method: 'POST', url, headers: new Headers(headers) } as never },
    context,
    incomingRequestContext: {} as never,
  });

// What the sales subgraph would check: made per test, so each test starts with no spent nonces.
let sales: SignedRequestVerifier;
beforeEach(() => {
  sales = new SignedRequestVerifier({ audience: 'sales', publicKeys: [publicKey] });
});
const verified = ({ headers, body }: Seen) => sales.verify({ headers, body });

test('the principal on the request context arrives signed, and the signature covers the body sent', async () => {
  const dataSource = new SubgraphDataSource('sales', url, { timeoutMs: 1000, retries: 0, retryDelayMs: 0, signingKey });
  const response = await send(dataSource, { principal: ada, requestId: 'r-1' });
  expect(response.data).toEqual({ ok: true });
  expect(seen).toHaveLength(1);
  expect(JSON.parse(seen[0].body)).toEqual({ query: '{ ok }', variables: { a: 1 } });
  expect(verified(seen[0])).toEqual({
    ok: true,
    principal: { id: 'u-1', kind: 'user', email: 'ada@example.com', roles: ['analyst'], scopes: ['pii:read'], domains: ['sales'] },
  });
});

test('without a principal on the context the request is signed as anonymous', async () => {
  const dataSource = new SubgraphDataSource('sales', url, { timeoutMs: 1000, retries: 0, retryDelayMs: 0, signingKey });
  await send(dataSource, {});
  expect(verified(seen[0])).toEqual({ ok: true, principal: { id: 'anonymous', kind: 'anonymous', roles: [], scopes: [], domains: [] } });
});

test('a principal header set by anyone else is replaced by the context principal', async () => {
  const dataSource = new SubgraphDataSource('sales', url, { timeoutMs: 1000, retries: 0, retryDelayMs: 0, signingKey });
  const forged = Buffer.from(JSON.stringify({ id: 'root', kind: 'service', roles: ['admin'], scopes: [], domains: [] })).toString('base64url');
  await send(dataSource, { principal: ada }, { [PRINCIPAL_HEADER]: forged, [SIGNATURE_HEADER]: 'e30.e30.AAAA' });
  expect(verified(seen[0])).toMatchObject({ ok: true, principal: { id: 'u-1' } });
});

test('every retry of a query is signed', async () => {
  failuresBeforeSuccess = 2;
  const dataSource = new SubgraphDataSource('sales', url, { timeoutMs: 1000, retries: 2, retryDelayMs: 1, signingKey });
  const response = await send(dataSource, { principal: ada });
  expect(response.data).toEqual({ ok: true });
  expect(seen).toHaveLength(3);
  // Each attempt is its own single-use signature: the same verifier accepts all three.
  for (const request of seen) expect(verified(request)).toMatchObject({ ok: true, principal: { id: 'u-1' } });
});

test('the signature names this subgraph: another subgraph refuses it', async () => {
  const dataSource = new SubgraphDataSource('sales', url, { timeoutMs: 1000, retries: 0, retryDelayMs: 0, signingKey });
  await send(dataSource, { principal: ada });
  const finance = new SignedRequestVerifier({ audience: 'finance', publicKeys: [publicKey] });
  expect(finance.verify(seen[0])).toMatchObject({ ok: false, reason: 'wrong-audience' });
  await dataSource.close();
});

test('without a signing key nothing is signed', async () => {
  const dataSource = new SubgraphDataSource('sales', url, { timeoutMs: 1000, retries: 0, retryDelayMs: 0 });
  await send(dataSource, { principal: ada });
  expect(seen[0].headers[PRINCIPAL_HEADER]).toBeUndefined();
  expect(seen[0].headers[SIGNATURE_HEADER]).toBeUndefined();
});

test("the subgraph's Cache-Control hint restricts the request's cache policy and is readable on the response", async () => {
  const dataSource = new SubgraphDataSource('sales', url, { timeoutMs: 1000, retries: 0, retryDelayMs: 0 });
  const restricted: unknown[] = [];
  const response = await dataSource.process({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query: '{ ok }' },
    context: {},
    incomingRequestContext: { overallCachePolicy: { restrict: (hint: unknown) => restricted.push(hint) } } as never,
  });
  expect(restricted).toEqual([{ maxAge: 30, scope: 'PRIVATE' }]);
  expect(response.http?.headers.get('Cache-Control')).toBe('max-age=30, private');
  await dataSource.close();
});

test('an answer that is not a GraphQL response is SUBGRAPH_BAD_RESPONSE naming the subgraph', async () => {
  answer = 'html';
  const dataSource = new SubgraphDataSource('sales', url, { timeoutMs: 1000, retries: 0, retryDelayMs: 0 });
  await expect(send(dataSource, {})).rejects.toMatchObject({
    message: 'Subgraph "sales" answered HTTP 200 without a GraphQL response',
    extensions: { code: 'SUBGRAPH_BAD_RESPONSE', subgraph: 'sales' },
  });
  await dataSource.close();
});

test('fetches beyond the concurrency limit wait for a slot, and the wait counts towards the attempt timeout', async () => {
  delayMs = 150;
  const dataSource = new SubgraphDataSource('sales', url, { timeoutMs: 250, retries: 0, retryDelayMs: 0, concurrency: 1 });
  const [first, second] = await Promise.allSettled([send(dataSource, {}), send(dataSource, {})]);
  expect(first).toMatchObject({ status: 'fulfilled', value: { data: { ok: true } } });
  // The second waited 150 ms for the first, then could not be answered in the 100 ms left.
  expect(second).toMatchObject({ status: 'rejected', reason: { extensions: { code: 'SUBGRAPH_TIMEOUT' } } });
  expect(dataSource.concurrency.load).toEqual({ running: 0, waiting: 0 });
  await dataSource.close();
});
