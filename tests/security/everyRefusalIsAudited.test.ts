/**
 * Issue 13, "Every refusal is audited": an operator route's 403 (cache
 * invalidation, quality run, subgraph registration), its 401 without
 * credentials, an operation over a limit and a body over the limit each
 * become an audit record with the rule or limit that refused, the principal,
 * and the route or operation; the record carries the request's id, which the
 * response echoes in x-request-id (issue 18).
 */
import { createHash } from 'node:crypto';
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';

let mesh: TestMesh;
beforeAll(async () => {
  // The in-process cache is on, so /cache/invalidate exists.
  mesh = await startMesh({ gateway: { cache: {} } });
}, 120_000);
afterAll(() => mesh?.stop());

const deepQuery = `query TooDeep { customers(first: 1) { edges { node { orders(first: 1) { edges { node { customer { orders(first: 1) { edges { node { id } } } } } } } } } } }`;

type Row = { name: string; path: string; body: () => string; principal: 'analyst' | 'anonymous'; status: number; expected: Record<string, unknown> };

const analyst = { id: ANALYST.sub, kind: 'user', email: ANALYST.email };

const ROWS: Row[] = [
  {
    name: 'cache invalidation without the scope or an owning domain (403)',
    path: '/cache/invalidate',
    body: () => JSON.stringify({ types: ['Customer'] }),
    principal: 'analyst',
    status: 403,
    expected: { kind: 'route-refused', route: 'POST /cache/invalidate', rule: 'scope cache:invalidate or an owning domain', principal: analyst, reason: expect.stringMatching(/Not allowed to invalidate Customer/) },
  },
  {
    name: 'a quality run outside the domain (403)',
    path: '/catalog/quality/run?product=customers',
    body: () => '{}',
    principal: 'analyst',
    status: 403,
    expected: { kind: 'route-refused', route: 'POST /catalog/quality/run', rule: 'domain customers or scope quality:run', principal: analyst, reason: expect.stringMatching(/quality rules requires/) },
  },
  {
    name: 'a subgraph registration without supergraph:write (403)',
    path: '/supergraph/subgraphs',
    body: () => JSON.stringify({ name: 'gift_cards', url: 'http://127.0.0.1:1/graphql' }),
    principal: 'analyst',
    status: 403,
    expected: { kind: 'route-refused', route: 'POST /supergraph/subgraphs', rule: 'scope supergraph:write', principal: analyst, reason: expect.stringMatching(/supergraph:write/) },
  },
  {
    name: 'an operator route without credentials (401)',
    path: '/cache/invalidate',
    body: () => JSON.stringify({ types: ['Customer'] }),
    principal: 'anonymous',
    status: 401,
    expected: { kind: 'route-refused', route: 'POST /cache/invalidate', rule: 'credentials required', principal: { id: 'unknown', kind: 'anonymous' }, reason: expect.stringMatching(/requires credentials/) },
  },
  {
    name: 'an operation deeper than the role allows (400)',
    path: '/graphql',
    body: () => JSON.stringify({ query: deepQuery }),
    principal: 'analyst',
    status: 400,
    expected: {
      kind: 'limit-exceeded',
      rule: 'maxDepth',
      principal: analyst,
      operationName: 'TooDeep',
      operationHash: createHash('sha256').update(deepQuery).digest('hex'),
      reason: expect.stringMatching(/exceeds the limit of 10 for your role \(analyst\)/),
    },
  },
  {
    name: 'a body over the limit (413)',
    path: '/graphql',
    body: () => JSON.stringify({ query: `{ products(first: 1) { totalCount } } # ${'x'.repeat(1_100_000)}` }),
    principal: 'analyst',
    status: 413,
    expected: { kind: 'limit-exceeded', route: 'POST /graphql', rule: 'maxBodyBytes', principal: analyst, reason: expect.stringMatching(/exceeds the limit/) },
  },
];

test.each(ROWS)('$name is one audit record with the rule, the principal and the route or operation', async ({ path, body, principal, status, expected }) => {
  const requestId = `refusal-${Math.random().toString(36).slice(2)}`;
  const credentials = principal === 'analyst' ? await tokenFor(ANALYST) : {};
  const response = await fetch(new URL(path, mesh.gateway.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, 'apollographql-client-name': 'refusal-test', ...credentials },
    body: body(),
  });
  await response.text();
  expect(response.status).toBe(status);
  expect(response.headers.get('x-request-id')).toBe(requestId);
  const mine = (await mesh.auditRecords()).filter((record) => record.requestId === requestId);
  expect(mine).toHaveLength(1);
  expect(mine[0]).toEqual(expect.objectContaining({ ...expected, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), requestId, client: { name: 'refusal-test', address: expect.any(String) } }));
});

test('an unacceptable x-request-id is replaced by a fresh UUID, and a request without one gets one', async () => {
  for (const given of ['bad id with spaces', 'x'.repeat(129), undefined]) {
    const response = await fetch(mesh.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(given !== undefined && { 'x-request-id': given }) },
      body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
    });
    await response.text();
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  }
});
