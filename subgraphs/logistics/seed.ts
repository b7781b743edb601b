/**
 * Seeds zones, carriers and one shipment per shipped order of the shared scenario.
 * Some zones and carriers are worse than others (late rates from 4% to 25%), so
 * delivery-performance dashboards have something to find.
 */
import type { Db } from '../lib/db';
import { progress } from '../lib/progress';
import { randomFor } from '../lib/random';
import { countsFor, customerFacts, DAY_MS, orderFacts, ZONES } from '../lib/scenario';
import { insertRows, toIso } from '../lib/sql';
import type { SeedOptions } from '../lib/subgraph';

/** Carriers with the share of their parcels that arrive late, on top of the zone's own share. */
export const CARRIERS = [
  { name: 'Swift Parcel', lateRate: 0.02 },
  { name: 'Continental Freight', lateRate: 0.025 },
  { name: 'Blue Arrow Express', lateRate: 0.03 },
  { name: 'Kite Courier', lateRate: 0.05 },
  { name: 'Meridian Post', lateRate: 0.08 },
  { name: 'Urban Drop', lateRate: 0.13 },
] as const;

const HOUR_MS = 3_600_000;
const SECOND_MS = 1000;
/** Orders that have left the warehouse; the others have no shipment. */
const SHIPPED_ORDER_STATUSES = new Set(['SHIPPED', 'DELIVERED', 'RETURNED']);

type ZoneProfile = { lateRate: number; carrierWeights: [number, number][] };

/** Each zone's own late share (0.02 to 0.12, most zones near the low end) and its carrier mix. */
function zoneProfile(options: SeedOptions, zoneId: number): ZoneProfile {
  const random = randomFor(options.seed, 'logistics-zone', zoneId);
  return {
    lateRate: 0.02 + 0.1 * Math.pow(random.next(), 3),
    carrierWeights: CARRIERS.map((_, i) => [i + 1, random.int(1, 10)]),
  };
}

/** One row per shipped order; `scan.orderId` follows the orders read, for the progress line. */
export function* shipmentRows(options: SeedOptions, scan = { orderId: 0 }) {
  const { orders } = countsFor(options.scale);
  const zones = ZONES.map((_, i) => zoneProfile(options, i + 1));
  const zoneOfCustomer = new Map<number, number>();
  let id = 0;
  for (let orderId = 1; orderId <= orders; orderId++) {
    scan.orderId = orderId;
    const order = orderFacts(options, orderId);
    if (!SHIPPED_ORDER_STATUSES.has(order.status)) continue;
    let zoneId = zoneOfCustomer.get(order.customerId);
    if (zoneId === undefined) zoneOfCustomer.set(order.customerId, (zoneId = customerFacts(options, order.customerId).zoneId));
    const zone = zones[zoneId - 1];
    const random = randomFor(options.seed, 'logistics-shipment', orderId);
    const carrierId = random.weighted(zone.carrierWeights);
    const drawnShippedAt = order.placedAt + random.int(DAY_MS / 2 / SECOND_MS, (2 * DAY_MS) / SECOND_MS) * SECOND_MS;
    const shippedAt = order.dispatchedAt ?? drawnShippedAt;
    const promisedAt = shippedAt + random.int(2, 5) * DAY_MS;
    let status: string;
    let deliveredAt: number | null = null;
    let late: boolean;
    if (order.status === 'SHIPPED') {
      // Still on the way at the end of the story; a few parcels past their promise are declared lost.
      late = promisedAt < options.now;
      status = late && random.chance(0.1) ? 'LOST' : 'IN_TRANSIT';
    } else {
      status = order.status;
      if (random.chance(zone.lateRate + CARRIERS[carrierId - 1].lateRate)) {
        const delayHours = Math.max(0.25, random.logNormal(16, 0.8));
        deliveredAt = promisedAt + Math.round((delayHours * HOUR_MS) / SECOND_MS) * SECOND_MS;
      } else {
        deliveredAt = shippedAt + Math.round(((0.45 + 0.55 * random.next()) * (promisedAt - shippedAt)) / SECOND_MS) * SECOND_MS;
      }
      // The sales domain already calls these orders delivered: nothing arrives after the story ends.
      if (deliveredAt > options.now - 60 * SECOND_MS) deliveredAt = Math.max(shippedAt + 60 * SECOND_MS, options.now - random.int(60, 6 * 3600) * SECOND_MS);
      late = deliveredAt > promisedAt;
    }
    yield {
      id: ++id,
      order_id: orderId,
      carrier_id: carrierId,
      zone_id: zoneId,
      status,
      shipped_at: toIso(shippedAt),
      promised_at: toIso(promisedAt),
      delivered_at: deliveredAt === null ? null : toIso(deliveredAt),
      late,
      // The shipment's last change: its delivery, or its dispatch while it is on the way.
      updated_at: toIso(deliveredAt ?? shippedAt),
    };
  }
}

export async function seed(db: Db, options: SeedOptions) {
  await insertRows(db, 'logistics.delivery_zone', { id: 'int', name: 'text', country: 'text' },
    ZONES.map(([name, country], i) => ({ id: i + 1, name, country })));
  await insertRows(db, 'logistics.carrier', { id: 'int', name: 'text' }, CARRIERS.map(({ name }, i) => ({ id: i + 1, name })));
  // Rows are generated while they are inserted, so progress counts the orders read.
  const bar = progress('logistics: shipments for orders', countsFor(options.scale).orders, options.log);
  const scan = { orderId: 0 };
  const inserted = await insertRows(
    db,
    'logistics.shipment',
    { id: 'int', order_id: 'int', carrier_id: 'int', zone_id: 'int', status: 'text', shipped_at: 'timestamptz', promised_at: 'timestamptz', delivered_at: 'timestamptz', late: 'boolean', updated_at: 'timestamptz' },
    shipmentRows(options, scan),
    { progress: { tick: () => bar.tick(scan.orderId), finish: bar.finish } },
  );
  bar.finish(`(${inserted.toLocaleString('en-US')} shipments)`);
}
