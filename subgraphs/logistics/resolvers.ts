import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { checkTimeCursor, pageSize, toConnection } from '../lib/pagination';
import { DateTime, idOf } from '../lib/scalars';
import type { TimeRange } from '../lib/sql';
import type { SubgraphContext } from '../lib/subgraph';
import type { LogisticsLoaders } from './loaders';
import { shipmentStatusEvents } from './events';
import {
  allCarriers,
  allZones,
  lateDeliveryPage,
  zonePerformance,
  type CarrierRow,
  type ShipmentRow,
  type ZonePerformanceRow,
  type ZoneRow,
} from './store';

type Context = SubgraphContext<LogisticsLoaders>;
type RangeArgs = { from?: Date | null; to?: Date | null };

const HOUR_MS = 3_600_000;
const rangeOf = ({ from, to }: RangeArgs): Required<TimeRange> => ({ from: from ?? null, to: to ?? null });
const onTimeRate = (shipments: number, late: number) => (shipments === 0 ? 1 : (shipments - late) / shipments);

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime,
  Subscription: {
    shipmentStatusChanged: {
      subscribe: (_: unknown, { zone }: { zone?: string | null }, { db }: Context) => shipmentStatusEvents(db, zone),
      resolve: ({ shipment }: { shipment: ShipmentRow }) => shipment,
    },
  } as never,
  Query: {
    shipment: (_, { id }, { loaders }) => loaders.shipment.load(id),
    zones: (_, __, { db }) => allZones(db),
    carriers: (_, __, { db }) => allCarriers(db),
    deliveryPerformance: (_, args, { db }) => zonePerformance(db, rangeOf(args)),
    lateDeliveries: (_, { filter, first, after }, { db }) => lateDeliveryPage(db, filter, { first, after }),
  },
  Shipment: {
    __resolveReference: ({ id }: { id: string }, { loaders }: Context) => loaders.shipment.load(id),
    order: (shipment: ShipmentRow) => ({ id: String(shipment.order_id) }),
    carrier: (shipment: ShipmentRow, _, { loaders }) => loaders.carrier.load(shipment.carrier_id),
    zone: (shipment: ShipmentRow, _, { loaders }) => loaders.zone.load(shipment.zone_id),
    shippedAt: (shipment: ShipmentRow) => shipment.shipped_at,
    promisedAt: (shipment: ShipmentRow) => shipment.promised_at,
    deliveredAt: (shipment: ShipmentRow) => shipment.delivered_at,
    delayHours: (shipment: ShipmentRow) =>
      shipment.late && shipment.delivered_at
        ? Math.round(((shipment.delivered_at.getTime() - shipment.promised_at.getTime()) / HOUR_MS) * 100) / 100
        : null,
  },
  Carrier: {
    __resolveReference: ({ id }: { id: string }, { loaders }: Context) => loaders.carrier.load(id),
    onTimeRate: async (carrier: CarrierRow, args: RangeArgs, { loaders }) => {
      const [stats] = await loaders.statsByCarrier(rangeOf(args)).load(carrier.id);
      return stats ? onTimeRate(stats.shipments, stats.late) : null;
    },
  },
  DeliveryZone: {
    __resolveReference: ({ id }: { id: string }, { loaders }: Context) => loaders.zone.load(id),
    lateShipments: async (zone: ZoneRow, { first, after, ...args }: RangeArgs & { first: number; after?: string | null }, { loaders }) => {
      const size = pageSize(first);
      checkTimeCursor(after);
      const range = rangeOf(args);
      const rows = await loaders.lateShipmentsByZone({ ...range, limit: size + 1, after: after ?? null }).load(zone.id);
      return {
        ...toConnection(rows, size, (row) => row.shipped_at),
        totalCount: async () => (await loaders.lateCountByZone(range).load(zone.id))[0]?.count ?? 0,
      };
    },
    performance: async (zone: ZoneRow, args: RangeArgs, { loaders }) => (await loaders.performanceByZone(rangeOf(args)).load(zone.id))[0],
  },
  Order: {
    shipment: async ({ id }: { id: string }, _, { loaders }) => {
      const orderId = idOf(id);
      return orderId === null ? null : ((await loaders.shipmentsByOrder.load(orderId))[0] ?? null);
    },
  },
  ZonePerformance: {
    zone: (row: ZonePerformanceRow) => row,
    onTimeRate: (row: ZonePerformanceRow) => onTimeRate(row.shipments, row.late),
    averageDelayHours: (row: ZonePerformanceRow) => row.average_delay_hours,
  },
};
