/** The logistics domain's data access: every SQL statement this product runs. */
import type { Db } from '../lib/db';
import { afterCursorCondition, checkTimeCursor, keysetPage, type PageArgs } from '../lib/pagination';
import { timeRangeConditions, whereClause, type TimeRange } from '../lib/sql';
import { idOf } from '../lib/scalars';

export type ZoneRow = { id: number; name: string; country: string };
export type CarrierRow = { id: number; name: string };

export type ShipmentRow = {
  id: number;
  order_id: number;
  carrier_id: number;
  zone_id: number;
  status: string;
  shipped_at: Date;
  promised_at: Date;
  delivered_at: Date | null;
  late: boolean;
};

export type LateDeliveryFilter = TimeRange & { zoneId?: string | null; carrierId?: string | null };

export type ZonePerformanceRow = ZoneRow & {
  shipments: number;
  delivered: number;
  late: number;
  average_delay_hours: number | null;
};

export type CarrierStatsRow = { carrier_id: number; shipments: number; late: number };
export type CountRow = { parent_id: number; count: number };

export const allZones = (db: Db) => db.query<ZoneRow>(`SELECT * FROM logistics.delivery_zone ORDER BY id`);

export const allCarriers = (db: Db) => db.query<CarrierRow>(`SELECT * FROM logistics.carrier ORDER BY id`);

export const zonesByIds = (db: Db, ids: number[]) =>
  db.query<ZoneRow>(`SELECT * FROM logistics.delivery_zone WHERE id = ANY($1::int[])`, [ids]);

export const carriersByIds = (db: Db, ids: number[]) =>
  db.query<CarrierRow>(`SELECT * FROM logistics.carrier WHERE id = ANY($1::int[])`, [ids]);

export const shipmentsByIds = (db: Db, ids: number[]) =>
  db.query<ShipmentRow>(`SELECT * FROM logistics.shipment WHERE id = ANY($1::int[])`, [ids]);

export const shipmentsByOrderIds = (db: Db, orderIds: number[]) =>
  db.query<ShipmentRow>(`SELECT * FROM logistics.shipment WHERE order_id = ANY($1::int[])`, [orderIds]);

function lateDeliveryConditions(filter: LateDeliveryFilter | null | undefined, params: unknown[]): string[] {
  const conditions = ['late'];
  // An id that cannot exist (malformed) matches nothing rather than failing.
  if (filter?.zoneId != null) conditions.push(`zone_id = $${params.push(idOf(filter.zoneId) ?? 0)}`);
  if (filter?.carrierId != null) conditions.push(`carrier_id = $${params.push(idOf(filter.carrierId) ?? 0)}`);
  conditions.push(...timeRangeConditions('shipped_at', filter ?? {}, params));
  return conditions;
}

/** Late shipments, newest first, on the partial index over late shipments. */
export function lateDeliveryPage(db: Db, filter: LateDeliveryFilter | null | undefined, page: PageArgs) {
  checkTimeCursor(page.after);
  return keysetPage<ShipmentRow>(
    db,
    {
      from: 'logistics.shipment',
      conditions: (params) => lateDeliveryConditions(filter, params),
      sortColumn: 'shipped_at',
      direction: 'DESC',
      sortValueOf: (row) => row.shipped_at,
    },
    page,
  );
}

/**
 * The first `limit` late shipments of each zone after the cursor, newest first: one
 * statement for many zones, each zone read through its (zone_id, shipped_at) index.
 */
export function lateShipmentsForZones(db: Db, zoneIds: number[], range: TimeRange, limit: number, after: string | null) {
  const params: unknown[] = [zoneIds];
  const conditions = ['zone_id = parent.parent_id', 'late', ...timeRangeConditions('shipped_at', range, params)];
  const cursor = afterCursorCondition('shipped_at', 'id', 'DESC', after, params);
  if (cursor) conditions.push(cursor);
  return db.query<ShipmentRow>(
    `SELECT s.* FROM unnest($1::int[]) AS parent(parent_id)
     CROSS JOIN LATERAL (
       SELECT * FROM logistics.shipment ${whereClause(conditions)}
       ORDER BY shipped_at DESC, id DESC LIMIT $${params.push(limit)}
     ) s`,
    params,
  );
}

export function lateCountsForZones(db: Db, zoneIds: number[], range: TimeRange) {
  const params: unknown[] = [zoneIds];
  const conditions = ['zone_id = ANY($1::int[])', 'late', ...timeRangeConditions('shipped_at', range, params)];
  return db.query<CountRow>(
    `SELECT zone_id AS parent_id, count(*)::int AS count FROM logistics.shipment ${whereClause(conditions)} GROUP BY zone_id`,
    params,
  );
}

/**
 * Delivery record per zone in one GROUP BY, most late shipments first. Every zone
 * is listed (zeros when it shipped nothing in the period); `zoneIds` narrows the list.
 */
export function zonePerformance(db: Db, range: TimeRange, zoneIds: number[] | null = null) {
  const params: unknown[] = [];
  const joinConditions = ['s.zone_id = z.id', ...timeRangeConditions('s.shipped_at', range, params)];
  const conditions = zoneIds ? [`z.id = ANY($${params.push(zoneIds)}::int[])`] : [];
  return db.query<ZonePerformanceRow>(
    `SELECT z.id, z.name, z.country,
       count(s.id)::int AS shipments,
       count(s.delivered_at)::int AS delivered,
       (count(*) FILTER (WHERE s.late))::int AS late,
       round((avg(extract(epoch FROM s.delivered_at - s.promised_at) / 3600)
         FILTER (WHERE s.late AND s.delivered_at IS NOT NULL))::numeric, 2)::float8 AS average_delay_hours
     FROM logistics.delivery_zone z
     LEFT JOIN logistics.shipment s ON ${joinConditions.join(' AND ')}
     ${whereClause(conditions)}
     GROUP BY z.id
     ORDER BY late DESC, z.id`,
    params,
  );
}

export function carrierStats(db: Db, carrierIds: number[], range: TimeRange) {
  const params: unknown[] = [carrierIds];
  const conditions = ['carrier_id = ANY($1::int[])', ...timeRangeConditions('shipped_at', range, params)];
  return db.query<CarrierStatsRow>(
    `SELECT carrier_id, count(*)::int AS shipments, (count(*) FILTER (WHERE late))::int AS late
     FROM logistics.shipment ${whereClause(conditions)} GROUP BY carrier_id`,
    params,
  );
}
