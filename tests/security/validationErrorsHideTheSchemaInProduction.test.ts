/**
 * Issue 17 §2: "Did you mean ...?" suggestions name fields and types of the
 * schema; validation errors carry none in production mode, nor, in
 * development, for a principal the introspection policy would not show the
 * schema. (Apollo Server's hideSchemaDetailsFromClientErrors works inside its
 * own validation only, which the gateway replaces; validateOperation.ts
 * applies the rule itself.)
 */
import type { RunningGateway } from '../../gateway/src';
import { queryGateway, startExtraGateway, startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';

const JWT = { secret: 'a-production-secret-for-this-test-only-0123456789', issuer: 'test-idp', audience: 'meshgate' };
const TYPO = '{ products(first: 1) { totalCont } }';

let mesh: TestMesh;
let production: RunningGateway;
let authenticatedIntrospection: RunningGateway;
beforeAll(async () => {
  mesh = await startMesh();
  production = await startExtraGateway(mesh, { mode: 'production', server: { port: 0 }, identity: { jwt: JWT } });
  authenticatedIntrospection = await startExtraGateway(mesh, { authorization: { introspection: 'authenticated' } });
}, 120_000);
afterAll(async () => {
  await production?.stop();
  await authenticatedIntrospection?.stop();
  await mesh?.stop();
});

test('production: the error says what is wrong, and suggests nothing', async () => {
  const { status, body } = await queryGateway(production.url, TYPO);
  expect(status).toBe(400);
  expect(body.errors).toEqual([expect.objectContaining({ message: 'Cannot query field "totalCont" on type "ProductConnection".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
});

test('development: suggestions for whom introspection is allowed, none for an anonymous request when it needs authentication', async () => {
  expect((await mesh.query(TYPO)).body.errors?.[0].message).toBe('Cannot query field "totalCont" on type "ProductConnection". Did you mean "totalCount"?');
  expect((await queryGateway(authenticatedIntrospection.url, TYPO)).body.errors?.[0].message).toBe('Cannot query field "totalCont" on type "ProductConnection".');
  const analyst = await queryGateway(authenticatedIntrospection.url, TYPO, undefined, await tokenFor(ANALYST));
  expect(analyst.body.errors?.[0].message).toMatch(/Did you mean "totalCount"\?$/);
});
