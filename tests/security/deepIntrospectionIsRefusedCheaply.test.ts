/**
 * Issue 18: the standard introspection query (what GraphiQL sends to load the
 * schema) is not judged by the data limits, so every human role gets the
 * schema; but introspection keeps bounds of its own, so a deep or fanned-out
 * introspection query is refused with a 400 before validation and execution,
 * quickly, with /health answering.
 */
import { getIntrospectionQuery } from 'graphql';
import { queryGateway, startMesh, tokenFor, type TestMesh } from '../harness';
import { ACCOUNT_MANAGER, ADMIN, ANALYST, FINANCE_TEAM } from '../principals';
import { firstError, underAttack } from './hostileRequests';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

const HUMANS = { anonymous: undefined, analyst: ANALYST, 'account-manager': ACCOUNT_MANAGER, finance: FINANCE_TEAM, admin: ADMIN };

test.each(Object.entries(HUMANS))('the standard introspection query answers the schema for %s', async (_role, principal) => {
  const headers = principal ? await tokenFor(principal) : {};
  const answer = await queryGateway(mesh.gateway.url, getIntrospectionQuery({ inputValueDeprecation: true }), undefined, headers);
  expect(answer.body.errors).toBeUndefined();
  expect(answer.status).toBe(200);
  expect(answer.body.data.__schema.types.map((type: { name: string }) => type.name)).toEqual(expect.arrayContaining(['Query', 'Order']));
});

const ofType = (levels: number) => `${'ofType { '.repeat(levels)}name${' }'.repeat(levels)}`;

// 500 levels, not thousands: graphql-js parses recursively, and on a cold, loaded process a 2,000-deep document can exhaust the stack (a 400 GRAPHQL_PARSE_FAILED, safe, but not the limit under test; deepNestingIsRefusedCheaply covers that class).
test.each([
  ['an ofType chain 500 deep', `{ __type(name: "Order") { fields { type { ${ofType(500)} } } } }`, 'maxIntrospectionDepth'],
  ['fields of the types of fields, 6 times nested', `{ __schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } } }`, 'maxIntrospectionListNesting'],
  ['__type repeated 500 times', `{ ${Array.from({ length: 500 }, (_, i) => `t${i}: __type(name: "Order") { name }`).join(' ')} }`, 'maxIntrospectionFields'],
])('%s: 400 OPERATION_LIMIT_EXCEEDED, quickly', async (_shape, query, limit) => {
  const { answers, ms, worstHealthMs } = await underAttack(mesh, query, { headers: await tokenFor(ADMIN) });
  for (const answer of answers) {
    expect(answer.status).toBe(400);
    expect(firstError(answer)?.extensions?.code).toBe('OPERATION_LIMIT_EXCEEDED');
    // Other limits may be exceeded too (one error each); introspection's own is among them.
    expect(answer.body.errors?.map((error) => error.extensions?.limit)).toContain(limit);
    expect(answer.body.data).toBeUndefined();
  }
  expect(ms).toBeLessThan(3000);
  expect(worstHealthMs).toBeLessThan(2000);
});
