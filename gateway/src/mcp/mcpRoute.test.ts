/**
 * A large MCP message takes its turn with /graphql's large bodies (the
 * gateway's one TurnTaker, http/takeTurns.ts) before it is parsed; a small
 * one never waits for a turn.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditLog } from '../audit/AuditLog';
import type { MeshContext } from '../context';
import { LARGE_BODY_BYTES, TurnTaker } from '../http/takeTurns';
import type { Logger } from '../logger';
import { mcpRoutes, MCP_PATH } from './mcpRoute';

class CountingTurns extends TurnTaker {
  taken = 0;
  override take() {
    this.taken += 1;
    return super.take();
  }
}

const turns = new CountingTurns();
const context = { principal: { id: 'someone', kind: 'user', roles: [], scopes: [], domains: [], authenticatedBy: 'jwt' }, requestId: 'test', client: {}, _shield: { cache: {} }, cache: {} } as unknown as MeshContext;
const audit = { record: () => undefined } as unknown as AuditLog;
const [post] = mcpRoutes({
  services: {
    logger: { child: () => ({}) } as unknown as Logger,
    audit,
    run: async () => ({ status: 200, data: null, denied: [], errors: [], operationHash: null }),
    schema: () => undefined,
    policy: () => undefined,
    maxResultBytes: 65_536,
    tools: [],
    sandboxTools: [],
    isSandbox: () => false,
    version: 'test',
  },
  createContext: async () => context,
  audit,
  bodyLimitFor: () => 1024 * 1024,
  cors: { allowedOrigins: [] } as never,
  largeBodies: turns,
  propagation: { trustServicePrincipals: false, trustedPrincipals: [] },
});

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => post.handle(req, res).catch(() => res.writeHead(500).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${MCP_PATH}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const ping = (padding: number) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer test' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { padding: 'x'.repeat(padding) } } }),
  });

test('a message of 16 KB or more takes a turn before it is parsed; a small one does not', async () => {
  const small = await ping(100);
  expect(small.status).toBe(200);
  expect(turns.taken).toBe(0);
  const large = await ping(LARGE_BODY_BYTES);
  expect(large.status).toBe(200);
  expect(await large.json()).toMatchObject({ jsonrpc: '2.0', id: 1, result: {} });
  expect(turns.taken).toBe(1);
});
