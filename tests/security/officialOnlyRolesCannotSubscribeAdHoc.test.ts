/**
 * Issue 15 with issue 14's rule: a role that may run official operations only cannot open an ad-hoc
 * subscription over graphql-ws or graphql-sse either; it is refused with OPERATION_NOT_OFFICIAL before
 * anything is planned or opened (over SSE at the front door, with 403, as any POST), and audited.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ORDER_SERVICE } from '../principals';
import { wsClient } from '../subscriptions/clients';

let mesh: TestMesh;
let service: Record<string, string>;
beforeAll(async () => {
  mesh = await startMesh({ gateway: { operations: { officialOnlyRoles: ['service'] } } });
  service = await tokenFor(ORDER_SERVICE);
}, 120_000);
afterAll(() => mesh?.stop());

const QUERY = 'subscription AdHoc { shipmentStatusChanged { id status } }';

test('graphql-ws: an ad-hoc subscription of an official-only role is refused and audited', async () => {
  mesh.resetReceived();
  const client = wsClient(mesh, service);
  const refused = await client.iterate({ query: QUERY }).next().then(
    () => undefined,
    (errors) => errors,
  );
  expect(refused).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'OPERATION_NOT_OFFICIAL' }) })]);
  await client.dispose();
  expect(mesh.subgraphs.logistics.received).toHaveLength(0);
  expect(await mesh.auditRecords()).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'operation-not-official', rule: 'official operations only', principal: expect.objectContaining({ id: ORDER_SERVICE.sub }) })]));
});

test('graphql-sse: refused at the front door with 403, before any stream opens, and audited', async () => {
  const before = (await mesh.auditRecords()).filter((record) => record.kind === 'operation-not-official').length;
  const response = await fetch(mesh.gateway.url, { method: 'POST', headers: { ...service, 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: QUERY }) });
  expect(response.status).toBe(403);
  expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('OPERATION_NOT_OFFICIAL');
  expect(mesh.subgraphs.logistics.received).toHaveLength(0);
  expect((await mesh.auditRecords()).filter((record) => record.kind === 'operation-not-official')).toHaveLength(before + 1);
});
