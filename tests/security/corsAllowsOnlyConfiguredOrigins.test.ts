/**
 * Issue 18, HTTP conventions: CORS is configured per origin. By default no
 * origin gets CORS headers (same origin only); with
 * server.cors.allowedOrigins, a listed origin's preflight works and its
 * answers carry Access-Control-Allow-Origin for it, while any other origin
 * (a look-alike included) gets none. A preflight never reaches identification.
 */
import { startExtraGateway, startMesh, type TestMesh } from '../harness';
import type { RunningGateway } from '../../gateway/src';
import { parseConfig } from '../../gateway/src/config';

const ALLOWED = 'https://dashboards.example.com';

let mesh: TestMesh;
let configured: RunningGateway;
beforeAll(async () => {
  mesh = await startMesh();
  configured = await startExtraGateway(mesh, { server: { port: 0, cors: { allowedOrigins: [ALLOWED] } } });
}, 120_000);
afterAll(async () => {
  await configured?.stop();
  await mesh?.stop();
});

const preflight = (url: string, origin: string) =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
const post = (url: string, origin: string) =>
  fetch(url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }) });

test('a listed origin gets a working preflight and its answers are readable', async () => {
  const answer = await preflight(configured.url, ALLOWED);
  expect(answer.status).toBe(204);
  expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  expect(answer.headers.get('access-control-allow-methods')).toMatch(/POST/);
  expect(answer.headers.get('access-control-allow-headers')).toMatch(/authorization/);
  expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
  const response = await post(configured.url, ALLOWED);
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  expect(response.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
  expect(((await response.json()) as any).data.products.totalCount).toBeGreaterThan(0);
});

test.each(['https://evil.example.com', 'https://dashboards.example.com.evil.example', 'http://dashboards.example.com', 'null'])('origin %s gets no CORS headers', async (origin) => {
  const answer = await preflight(configured.url, origin);
  expect(answer.status).toBe(204);
  expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  expect(answer.headers.get('access-control-allow-methods')).toBeNull();
  const response = await post(configured.url, origin);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  await response.text();
});

test('by default no origin gets CORS headers', async () => {
  const answer = await preflight(mesh.gateway.url, ALLOWED);
  expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  const response = await post(mesh.gateway.url, ALLOWED);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  await response.text();
});

test('an allowed origin that is not an origin (a wildcard, a path) is a config error naming the key', () => {
  const subgraphs = [{ name: 'a', url: 'http://127.0.0.1:1/graphql' }];
  for (const bad of ['*', 'https://*.example.com', 'https://app.example.com/']) {
    expect(() => parseConfig({ subgraphs, server: { cors: { allowedOrigins: [bad] } } })).toThrow(/server\.cors\.allowedOrigins\.0: expected an origin/);
  }
});
