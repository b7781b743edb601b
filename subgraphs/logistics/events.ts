/**
 * Logistics' subscription: each shipment that gets a status (a new shipment,
 * or a change of status), from the logistics_events channel that events.sql's
 * trigger fills, narrowed to one delivery zone when the subscriber asks.
 */
import type { Db } from '../lib/db';
import { subscribeToChanges } from '../lib/eventStream';
import { idOf } from '../lib/scalars';
import type { ShipmentRow } from './store';

const dateOrNull = (value: unknown) => (value == null ? null : new Date(value as string));

export function shipmentStatusEvents(db: Db, zone: string | null | undefined) {
  const zoneId = zone == null ? undefined : idOf(zone);
  return subscribeToChanges<ShipmentRow, { shipment: ShipmentRow }>(db, {
    channel: 'logistics_events',
    select({ table, row }) {
      if (table !== 'shipment' || (zoneId !== undefined && row.zone_id !== zoneId)) return undefined;
      return { shipment: { ...row, shipped_at: new Date(row.shipped_at), promised_at: new Date(row.promised_at), delivered_at: dateOrNull(row.delivered_at) } };
    },
  });
}
