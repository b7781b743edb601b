/**
 * Logistics' next facts for the live generator (subgraphs/lib/liveData.ts): dispatches and deliveries, written
 * through the logistics schema only; every change sets updated_at (what the freshness rule measures), and the
 * late flag always agrees with the promise (the late-flag-consistent quality rule).
 */
import type { Db } from '../lib/db';
import type { Random } from '../lib/random';
import { customerFacts, DAY_MS, type ScenarioOptions } from '../lib/scenario';
import { CARRIERS } from './seed';

/** Dispatches an order: a new IN_TRANSIT shipment to the customer's zone, promised in two to five days. */
export async function dispatchOrder(db: Db, options: ScenarioOptions, random: Random, order: { id: number; customerId: number }, now: number): Promise<number> {
  const zoneId = customerFacts(options, order.customerId).zoneId;
  const at = new Date(now).toISOString();
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO logistics.shipment (id, order_id, carrier_id, zone_id, status, shipped_at, promised_at, delivered_at, late, updated_at)
     SELECT coalesce(max(id), 0) + 1, $1, $2, $3, 'IN_TRANSIT', $4, $5, NULL, false, $4 FROM logistics.shipment RETURNING id`,
    [order.id, random.int(1, CARRIERS.length), zoneId, at, new Date(now + random.int(2, 5) * DAY_MS).toISOString()],
  );
  return row.id;
}

/** Delivers the shipment that has been on the way longest; returns its order id, or null when none is on the way. */
export async function deliverOldest(db: Db, now: number): Promise<number | null> {
  const [row] = await db.query<{ order_id: number }>(
    `UPDATE logistics.shipment SET status = 'DELIVERED', delivered_at = $1, late = $1::timestamptz > promised_at, updated_at = $1
      WHERE id = (SELECT id FROM logistics.shipment WHERE status = 'IN_TRANSIT' ORDER BY shipped_at, id LIMIT 1) RETURNING order_id`,
    [new Date(now).toISOString()],
  );
  return row?.order_id ?? null;
}
