/**
 * Logistics serves shipmentStatusChanged itself (issue 15): each status change committed afterwards
 * arrives, with what the shipment's zone is at that event (each event gets its own loaders: a zone
 * renamed between two events is seen renamed), and nothing else.
 */
import { createClient } from 'graphql-sse';
import { signRequest } from '../lib/signing';
import { startDomainForTest, TEST_ANONYMOUS, TEST_SIGNING_KEY, type DomainUnderTest } from '../lib/testing';
import { logistics } from '.';

let domain: DomainUnderTest;
beforeAll(async () => {
  domain = await startDomainForTest(logistics);
}, 120_000);
afterAll(() => domain?.stop());

const signedFetch: typeof fetch = (input, init) =>
  fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...signRequest({ audience: 'logistics', principal: TEST_ANONYMOUS, body: String(init?.body ?? ''), signingKey: TEST_SIGNING_KEY }) } });

test('each status change arrives with the zone as it is at that event', async () => {
  const [shipment] = await domain.db.query<{ id: number; zone_id: number }>('SELECT id, zone_id FROM logistics.shipment ORDER BY id LIMIT 1');
  const client = createClient({ url: domain.url, fetchFn: signedFetch, retryAttempts: 0 });
  const events = client.iterate({ query: `subscription { shipmentStatusChanged(zone: "${shipment.zone_id}") { id status zone { name } } }` });
  let flip = false;
  const touch = () => domain.db.query('UPDATE logistics.shipment SET status = $1 WHERE id = $2', [(flip = !flip) ? 'RETURNED' : 'LOST', shipment.id]);
  const first = events.next();
  let settled = false;
  void first.finally(() => (settled = true));
  while (!settled) {
    await touch();
    await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 300))]);
  }
  const before = ((await first).value as { data: { shipmentStatusChanged: { zone: { name: string } } } }).data.shipmentStatusChanged.zone.name;
  // Drain what the loop committed, then rename the zone and change the status once more.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await domain.db.query(`UPDATE logistics.delivery_zone SET name = 'Renamed zone' WHERE id = $1`, [shipment.zone_id]);
  await touch();
  let last = before;
  while (last !== 'Renamed zone') {
    const { value, done } = await events.next();
    if (done) break;
    last = (value as { data: { shipmentStatusChanged: { id: string; zone: { name: string } } } }).data.shipmentStatusChanged.zone.name;
  }
  expect(before).not.toBe('Renamed zone');
  expect(last).toBe('Renamed zone');
  await events.return?.();
  client.dispose();
});
