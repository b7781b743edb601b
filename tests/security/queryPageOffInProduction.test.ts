/**
 * Issue 17 §2: in production mode the query page (GraphiQL at `/` and its
 * assets) is off unless `server.queryPage` (MESHGATE_QUERY_PAGE) turns it
 * on; development mode keeps it on by default. Checked on the config and on
 * real gateways in front of the test subgraphs. In production, introspection
 * answers cached for an authenticated principal are never replayed to an
 * anonymous one (its introspection is refused, first and repeated).
 */
import type { RunningGateway } from '../../gateway/src';
import { loadConfig, parseConfig } from '../../gateway/src/config';
import { signDevelopmentToken } from '../../gateway/src/identity/devTokens';
import { startExtraGateway, startMesh, type TestMesh } from '../harness';
import { post } from './cachedMesh';
import { TEST_SIGNING_KEY } from '../../subgraphs/lib/testing';

const JWT = { secret: 'a-production-secret-for-this-test-only-0123456789', issuer: 'test-idp', audience: 'meshgate' };
const production = (server: Record<string, unknown> = {}) => ({ mode: 'production' as const, server: { port: 0, ...server }, identity: { jwt: JWT }, cache: { keyPrefix: 'security-production' } });

let mesh: TestMesh;
const gateways: Record<'production' | 'productionWithPage' | 'development', RunningGateway> = {} as never;

beforeAll(async () => {
  mesh = await startMesh();
  gateways.production = await startExtraGateway(mesh, production());
  gateways.productionWithPage = await startExtraGateway(mesh, production({ queryPage: true }));
  // The mesh's own gateway runs in development mode with the test defaults.
  gateways.development = mesh.gateway;
}, 120_000);
afterAll(async () => {
  await gateways.production?.stop();
  await gateways.productionWithPage?.stop();
  await mesh?.stop();
});

const origin = (gateway: RunningGateway) => new URL(gateway.url).origin;
const statusOf = async (gateway: RunningGateway, path: string) => (await fetch(`${origin(gateway)}${path}`)).status;

test('the config: off in production, on in development, and the key or MESHGATE_QUERY_PAGE decide when given', () => {
  const subgraphs = [{ name: 'a', url: 'http://127.0.0.1:1/graphql' }];
  const secret = { subgraphRequests: { signingKey: TEST_SIGNING_KEY } };
  expect(parseConfig({ subgraphs }).server.queryPage).toBe(true);
  expect(parseConfig({ ...production(), ...secret, subgraphs }).server.queryPage).toBe(false);
  expect(parseConfig({ ...production({ queryPage: true }), ...secret, subgraphs }).server.queryPage).toBe(true);
  expect(parseConfig({ subgraphs, server: { queryPage: false } }).server.queryPage).toBe(false);
  expect(loadConfig({ env: { MESHGATE_QUERY_PAGE: 'false' }, defaults: { subgraphs } }).server.queryPage).toBe(false);
  expect(() => parseConfig({ subgraphs, server: { queryPage: 'yes' } })).toThrow(/server\.queryPage/);
});

test('a production gateway serves no query page and none of its assets', async () => {
  for (const path of ['/', '/static/graphiql.js', '/static/react.js', '/static/graphiql.css']) expect(await statusOf(gateways.production, path)).toBe(404);
  // GraphQL itself is served.
  expect((await post(gateways.production.url, { query: '{ products(first: 1) { totalCount } }' })).status).toBe(200);
});

test('configured on, a production gateway serves it; development serves it by default', async () => {
  for (const gateway of [gateways.productionWithPage, gateways.development]) {
    const page = await fetch(`${origin(gateway)}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('graphiql');
  }
});

test('the role picker and its development tokens are in the development page only (issue 18)', async () => {
  const production = await (await fetch(`${origin(gateways.productionWithPage)}/`)).text();
  expect(production).toContain('"roles":[]');
  // No token of any kind in the page: a JWT starts with the base64 of '{"'.
  expect(production).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  const development = await (await fetch(`${origin(gateways.development)}/`)).text();
  expect(development).toMatch(/"label":"analyst \(alice\)","token":"eyJ/);
});

test('in production, an introspection answer cached for a user is never replayed to anonymous', async () => {
  const token = await signDevelopmentToken({ sub: 'alice', email: 'alice@meshgate.example', roles: ['analyst'], secret: JWT.secret, issuer: JWT.issuer, audience: JWT.audience });
  const body = { query: '{ __schema { queryType { name } } }' };
  for (let i = 0; i < 3; i++) {
    const user = await post(gateways.production.url, body, { authorization: `Bearer ${token}` });
    expect(user.body.data.__schema.queryType.name).toBe('Query');
  }
  for (let i = 0; i < 3; i++) {
    const anonymous = await post(gateways.production.url, body);
    expect(anonymous.body.data?.__schema ?? null).toBeNull();
    expect(anonymous.body.errors?.length).toBeGreaterThan(0);
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
  }
});
