/**
 * Issue 15: a supergraph update keeps the subscriptions whose selection the new schema still serves and
 * ends the others cleanly. Logistics is registered again (blue/green) without Shipment.delayHours: a
 * subscription that selects it ends with SUBSCRIPTION_ENDED saying why; one that does not keeps
 * receiving events, re-planned for the new supergraph.
 */
import { Kind, type ObjectTypeDefinitionNode } from 'graphql';
import { domainNamed } from '../../subgraphs';
import { startSubgraphServer, type RunningSubgraph } from '../../subgraphs/lib/server';
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { nextEventWhileWriting, sseClient, until, wsClient, type Event } from './clients';

let mesh: TestMesh;
let replacement: RunningSubgraph | undefined;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(async () => {
  await mesh?.stop();
  await replacement?.stop();
});

const logistics = domainNamed('logistics');
const withoutDelayHours = {
  ...logistics,
  typeDefs: {
    ...logistics.typeDefs,
    definitions: logistics.typeDefs.definitions.map((definition) =>
      definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === 'Shipment'
        ? ({ ...definition, fields: definition.fields?.filter((field) => field.name.value !== 'delayHours') } as ObjectTypeDefinitionNode)
        : definition,
    ),
  },
};

test('the subscription the new supergraph still serves keeps running; the other ends with the reason', async () => {
  const headers = await tokenFor(ANALYST);
  const [shipment] = await mesh.db.query<{ id: number }>('SELECT id FROM logistics.shipment ORDER BY id LIMIT 1');
  let status = 0;
  const touch = () => mesh.db.query('UPDATE logistics.shipment SET status = $1 WHERE id = $2', [++status % 2 ? 'RETURNED' : 'LOST', shipment.id]);
  const ws = wsClient(mesh, headers);
  const kept = ws.iterate({ query: 'subscription Kept { shipmentStatusChanged { id status } }' });
  const sse = sseClient(mesh, headers);
  const ended = sse.iterate({ query: 'subscription Ended { shipmentStatusChanged { id delayHours } }' });
  await nextEventWhileWriting(kept, touch);
  await nextEventWhileWriting(ended, touch);

  replacement = await startSubgraphServer(withoutDelayHours, mesh.db, { gatewayPublicKeys: mesh.gatewayPublicKeys });
  const response = await fetch(new URL('/supergraph/subgraphs', mesh.gateway.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await tokenFor({ sub: 'deployer', service: true, roles: ['service'], scopes: ['supergraph:write'] })) },
    body: JSON.stringify({ name: 'logistics', url: replacement.url }),
  });
  expect(response.status).toBe(200);

  const rest: Event[] = [];
  for await (const event of ended) rest.push(event);
  expect(rest.at(-1)).toEqual({ errors: [expect.objectContaining({ message: expect.stringMatching(/^The supergraph changed and no longer serves this subscription \(.*delayHours.*\); it ended$/), extensions: { code: 'SUBSCRIPTION_ENDED' } })] });

  const after = await nextEventWhileWriting(kept, touch);
  expect(after.data.shipmentStatusChanged).toEqual({ id: String(shipment.id), status: expect.any(String) });
  await until(() => mesh.gateway.subscriptions!.activeCount === 1);
  await kept.return?.();
  await ws.dispose();
  sse.dispose();
});
