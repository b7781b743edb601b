/**
 * One loader set per request: every Shipment, Carrier, DeliveryZone or Order
 * reference in a request costs one SQL statement per type, and a field with
 * arguments asked on many zones or carriers costs one statement per distinct
 * argument set.
 */
import type { Db } from '../lib/db';
import type { TimeRange } from '../lib/sql';
import { byIdLoader, byParentLoader, perArguments } from '../lib/loaders';
import {
  carriersByIds,
  carrierStats,
  lateCountsForZones,
  lateShipmentsForZones,
  shipmentsByIds,
  shipmentsByOrderIds,
  zonePerformance,
  zonesByIds,
  type CarrierStatsRow,
  type CountRow,
  type ShipmentRow,
  type ZonePerformanceRow,
} from './store';

export type ZonePageKey = { from: Date | null; to: Date | null; limit: number; after: string | null };


export const createLoaders = (db: Db) => ({
  shipment: byIdLoader((ids) => shipmentsByIds(db, ids)),
  zone: byIdLoader((ids) => zonesByIds(db, ids)),
  carrier: byIdLoader((ids) => carriersByIds(db, ids)),
  /** At most one shipment per order id. */
  shipmentsByOrder: byParentLoader<ShipmentRow>('order_id', (orderIds) => shipmentsByOrderIds(db, orderIds)),
  lateShipmentsByZone: perArguments(({ from, to, limit, after }: ZonePageKey) =>
    byParentLoader<ShipmentRow>('zone_id', (zoneIds) => lateShipmentsForZones(db, zoneIds, { from, to }, limit, after)),
  ),
  lateCountByZone: perArguments((range: TimeRange) =>
    byParentLoader<CountRow>('parent_id', (zoneIds) => lateCountsForZones(db, zoneIds, range)),
  ),
  performanceByZone: perArguments((range: TimeRange) =>
    byParentLoader<ZonePerformanceRow>('id', (zoneIds) => zonePerformance(db, range, zoneIds)),
  ),
  statsByCarrier: perArguments((range: TimeRange) =>
    byParentLoader<CarrierStatsRow>('carrier_id', (carrierIds) => carrierStats(db, carrierIds, range)),
  ),
});

export type LogisticsLoaders = ReturnType<typeof createLoaders>;
