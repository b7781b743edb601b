/**
 * metrics.operationNames.officialOnly: for a gateway whose clients send many
 * operation names, only the official operations' names (operations/) are
 * label values of the request metrics; every other name is "other".
 */
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN } from './principals';

jest.setTimeout(120_000);

let mesh: TestMesh;

beforeAll(async () => {
  mesh = await startMesh({ gateway: { metrics: { operationNames: { officialOnly: true } } } });
});

afterAll(() => mesh.stop());

test("only official operations' names are labels", async () => {
  const admin = await tokenFor(ADMIN);
  // LateDeliveries is official (operations/logistics/LateDeliveries.graphql); the other two names are not.
  await mesh.query('query LateDeliveries { orders(first: 1) { totalCount } }', undefined, admin);
  await mesh.query('query MyDashboard { orders(first: 1) { totalCount } }', undefined, admin);
  await mesh.query('query AnotherOne { orders(first: 1) { totalCount } }', undefined, admin);
  const text = await (await fetch(mesh.gateway.url.replace('/graphql', '/metrics'))).text();
  expect(text).toMatch(/^meshgate_requests_total\{operation="LateDeliveries",status="200",transport="http"\} 1$/m);
  expect(text).toMatch(/^meshgate_requests_total\{operation="other",status="200",transport="http"\} 2$/m);
  expect(text).not.toMatch(/operation="(MyDashboard|AnotherOne)"/);
});
