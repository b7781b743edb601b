/**
 * Issue 18, HTTP conventions: /metrics can require a credential. With
 * metrics.token set, only `Authorization: Bearer <token>` gets the metrics; no
 * token or another one is a 401 with a challenge (and an audit record), never
 * the token echoed. Without it /metrics is open (the development default).
 */
import { parseConfig } from '../../gateway/src/config';
import { startMesh, type TestMesh } from '../harness';

const TOKEN = 'metrics-token-for-the-test-0123456789';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh({ gateway: { metrics: { token: TOKEN } } });
}, 120_000);
afterAll(() => mesh?.stop());

const scrape = (headers: Record<string, string> = {}) => fetch(new URL('/metrics', mesh.gateway.url), { headers });

test('with metrics.token, /metrics answers only the bearer of that token', async () => {
  const allowed = await scrape({ authorization: `Bearer ${TOKEN}` });
  expect(allowed.status).toBe(200);
  expect(await allowed.text()).toMatch(/^# HELP /m);
  for (const headers of <Record<string, string>[]>[{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: 'Bearer short' }, { authorization: `Basic ${TOKEN}` }]) {
    const refused = await scrape({ ...headers, 'x-request-id': 'metrics-refused' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const text = await refused.text();
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  }
  const records = await mesh.auditRecords();
  expect(records.filter((record) => record.requestId === 'metrics-refused' && record.route === 'GET /metrics' && record.kind === 'route-refused')).toHaveLength(4);
});

test('without metrics.token /metrics is open; a short token is a config error naming the key, not echoing the token', () => {
  expect(parseConfig({ subgraphs: [{ name: 'a', url: 'http://127.0.0.1:1/graphql' }] }).metrics).toEqual({ operationNames: { max: 100, officialOnly: false } });
  expect(() => parseConfig({ subgraphs: [{ name: 'a', url: 'http://127.0.0.1:1/graphql' }], metrics: { token: 'tiny-secret' } })).toThrow(/metrics\.token: expected a token of at least 16 characters/);
  try {
    parseConfig({ subgraphs: [{ name: 'a', url: 'http://127.0.0.1:1/graphql' }], metrics: { token: 'tiny-secret' } });
  } catch (error) {
    expect((error as Error).message).not.toContain('tiny-secret');
  }
});
