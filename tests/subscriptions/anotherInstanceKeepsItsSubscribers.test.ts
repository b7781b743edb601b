/**
 * Issue 15: a gateway restarted under subscribers loses none of another instance's subscribers. Each
 * instance opens its own subgraph streams (the subgraphs LISTEN on the database), so stopping one
 * instance ends only its own subscriptions (SUBSCRIPTION_ENDED, "another instance will serve you"),
 * and the other keeps delivering.
 */
import { startExtraGateway, startMesh, tokenFor, type TestMesh } from '../harness';
import type { RunningGateway } from '../../gateway/src';
import { ANALYST } from '../principals';
import { addTransaction, nextEventWhileWriting, sseClient, type Event } from './clients';
import { createClient } from 'graphql-sse';

let mesh: TestMesh;
let other: RunningGateway;
beforeAll(async () => {
  mesh = await startMesh();
  other = await startExtraGateway(mesh);
}, 120_000);
afterAll(async () => {
  await other?.stop();
  await mesh?.stop();
});

test('stopping one instance ends its own subscriptions only; the other keeps delivering', async () => {
  const headers = await tokenFor(ANALYST);
  const onOther = createClient({ url: other.url, headers, retryAttempts: 0 });
  const kept = onOther.iterate({ query: 'subscription { transactionAdded(filter: { customerId: "61" }) { id } }' });
  const client = sseClient(mesh, headers);
  const lost = client.iterate({ query: 'subscription { transactionAdded(filter: { customerId: "61" }) { id } }' });
  await nextEventWhileWriting(kept, () => addTransaction(mesh, { customerId: 61 }));
  await nextEventWhileWriting(lost, () => addTransaction(mesh, { customerId: 61 }));

  const stopping = mesh.gateway.stop();
  const rest: Event[] = [];
  for await (const event of lost) rest.push(event);
  expect(rest.at(-1)).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'SUBSCRIPTION_ENDED' }, message: expect.stringContaining('another instance will serve you') })] });
  await stopping;

  const after = await nextEventWhileWriting(kept, () => addTransaction(mesh, { customerId: 61 }));
  expect(after.data?.transactionAdded?.id).toEqual(expect.any(String));
  expect(other.subscriptions!.activeCount).toBe(1);
  await kept.return?.();
  onOther.dispose();
  client.dispose();
});
