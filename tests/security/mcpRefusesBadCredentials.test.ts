/**
 * Issue 14, the assistant endpoint: /mcp identifies its callers as /graphql
 * does. A bad or expired token and an unknown API key get 401 before any MCP
 * message is read, and are audited as rejected credentials on POST /mcp; no
 * credentials at all is a 401 (an assistant acts for someone), audited as a
 * refused route; a browser origin the gateway does not allow gets 403 (the
 * transport specification's DNS-rebinding defence). The SDK's own client
 * fails to connect in each case; a good token or API key connects as its principal.
 */
import { createHash } from 'node:crypto';
import { developmentJwtConfig } from '../../gateway/src/identity/config';
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { connectMcp, mcpUrl } from '../mcpClient';
import { ANALYST } from '../principals';

const API_KEY = 'mg_reporting_service_key_0123456789';

let mesh: TestMesh;
beforeAll(async () => {
  const hash = `sha256:${createHash('sha256').update(API_KEY).digest('hex')}`;
  mesh = await startMesh({ gateway: { identity: { jwt: developmentJwtConfig({}), apiKeys: [{ id: 'reporting-service', hash, roles: ['service'] }] } } });
}, 120_000);
afterAll(() => mesh?.stop());

const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'attacker', version: '1' } } });

async function post(headers: Record<string, string>, requestId: string) {
  const response = await fetch(mcpUrl(mesh), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-request-id': requestId, ...headers },
    body: initialize,
  });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as any };
}

test.each([
  ['a token signed with another secret', async () => ({ authorization: `Bearer ${(await tokenFor({ ...ANALYST, secret: 'not-the-gateway-secret' } as never)).authorization.slice(7)}` })],
  ['an expired token', async () => tokenFor({ ...ANALYST, ttlSec: -3600 } as never)],
  ['a token that is not a JWT', async () => ({ authorization: 'Bearer not-a-jwt' })],
  ['an unknown API key', async () => ({ 'x-api-key': 'mg_unknown_key_0000000000' })],
])('%s gets 401 and a rejected-credentials audit record on POST /mcp', async (name, headers) => {
  const requestId = `mcp-bad-${name.replace(/\W+/g, '-')}`;
  const answer = await post(await headers(), requestId);
  expect(answer.status).toBe(401);
  expect(answer.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  await expect(connectMcp(mesh, await headers())).rejects.toThrow(/401|Unauthorized|UNAUTHENTICATED/i);
  expect((await mesh.auditRecords()).filter((record) => record.requestId === requestId)).toEqual([
    expect.objectContaining({ kind: 'rejected-credentials', route: 'POST /mcp', principal: { id: 'unknown', kind: 'anonymous' } }),
  ]);
});

test('no credentials at all gets 401, audited as a refused route', async () => {
  const answer = await post({}, 'mcp-anonymous');
  expect(answer.status).toBe(401);
  expect(answer.body.errors[0].message).toMatch(/\/mcp requires credentials/);
  await expect(connectMcp(mesh)).rejects.toThrow(/401|Unauthorized|credentials/i);
  expect((await mesh.auditRecords()).filter((record) => record.requestId === 'mcp-anonymous')).toEqual([expect.objectContaining({ kind: 'route-refused', route: 'POST /mcp', rule: 'credentials required' })]);
});

test('a page from an origin the gateway does not allow is refused 403, even with good credentials', async () => {
  const answer = await post({ ...(await tokenFor(ANALYST)), origin: 'http://evil.example' }, 'mcp-origin');
  expect(answer.status).toBe(403);
  expect((await mesh.auditRecords()).filter((record) => record.requestId === 'mcp-origin')).toEqual([expect.objectContaining({ kind: 'route-refused', route: 'POST /mcp', rule: 'FORBIDDEN' })]);
});

test('good credentials connect: a token, or an API key in either header, as their principal', async () => {
  const client = await connectMcp(mesh, await tokenFor(ANALYST));
  expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  await client.close();
  for (const [header, value] of [['x-api-key', API_KEY], ['authorization', `ApiKey ${API_KEY}`]]) {
    const service = await connectMcp(mesh, { [header]: value, 'x-request-id': `mcp-api-key-${header}` });
    expect((await service.callTool({ name: 'search_data_products', arguments: {} })).isError).toBeFalsy();
    await service.close();
    expect((await mesh.auditRecords()).filter((record) => record.requestId === `mcp-api-key-${header}`)).toEqual([
      expect.objectContaining({ kind: 'tool-call', tool: 'search_data_products', principal: { id: 'reporting-service', kind: 'service' } }),
    ]);
  }
});
