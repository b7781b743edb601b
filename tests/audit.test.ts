/**
 * Every denial and every rejected credential is audited, and nothing is lost
 * under load (issue #3): 1,000 concurrent requests with denials produce
 * exactly the expected records, with principal, operation and rule.
 */
import { createHash } from 'node:crypto';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ANALYST } from './principals';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
});
afterAll(() => mesh?.stop());

test('1,000 concurrent requests with denials give exactly 1,000 complete audit records', async () => {
  const headers = await tokenFor(ANALYST);
  const query = 'query ContactOf($id: ID!) { customer(id: $id) { id segment email } }';
  const statuses = await Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      fetch(mesh.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollographql-client-name': 'load-test', ...headers },
        body: JSON.stringify({ query, operationName: 'ContactOf', variables: { id: String((i % 90) + 1) } }),
      }).then(async (response) => {
        const body = (await response.json()) as any;
        expect(body.data.customer.email).toBeNull();
        return response.status;
      }),
    ),
  );
  expect(statuses.every((status) => status === 200)).toBe(true);
  const denials = (await mesh.auditRecords()).filter((record) => record.kind === 'denial');
  expect(denials).toHaveLength(1000);
  expect(new Set(denials.map((record) => record.requestId)).size).toBe(1000);
  expect(denials[0]).toEqual({
    time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    kind: 'denial',
    principal: { id: ANALYST.sub, kind: 'user', email: ANALYST.email },
    operationName: 'ContactOf',
    operationHash: createHash('sha256').update(query).digest('hex'),
    path: ['customer', 'email'],
    rule: 'global:pii(contact)',
    reason: 'requires scope pii:read',
    client: { name: 'load-test', address: expect.any(String) },
    requestId: expect.any(String),
  });
});

test('a rejected token is audited with the reason, and so is an unknown API key', async () => {
  const before = (await mesh.auditRecords()).filter((record) => record.kind === 'rejected-credentials').length;
  await mesh.query('{ products(first: 1) { totalCount } }', undefined, { authorization: 'Bearer not.a.token' });
  await mesh.query('{ products(first: 1) { totalCount } }', undefined, { 'x-api-key': 'mgk_wrong' });
  const rejected = (await mesh.auditRecords()).filter((record) => record.kind === 'rejected-credentials').slice(before);
  expect(rejected).toHaveLength(2);
  expect(rejected.map((record) => record.reason).join('\n')).toMatch(/API key/);
  expect(rejected.every((record) => record.path === null && record.client.address)).toBe(true);
});

test('a rejected token on an operator route (a quality run) is audited too', async () => {
  const before = (await mesh.auditRecords()).filter((record) => record.kind === 'rejected-credentials').length;
  const response = await fetch(new URL('/catalog/quality/run', mesh.gateway.url), {
    method: 'POST',
    headers: { authorization: 'Bearer not.a.token', 'content-type': 'application/json' },
    body: JSON.stringify({}),
  });
  expect(response.status).toBe(401);
  const rejected = (await mesh.auditRecords()).filter((record) => record.kind === 'rejected-credentials').slice(before);
  expect(rejected).toHaveLength(1);
  expect(rejected[0]).toMatchObject({ path: null, rule: null, principal: { id: 'unknown' } });
});
