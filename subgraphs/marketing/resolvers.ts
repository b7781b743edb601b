import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { checkTimeCursor, pageSize, toConnection } from '../lib/pagination';
import { DateTime, idOf } from '../lib/scalars';
import type { TimeRange } from '../lib/sql';
import type { SubgraphContext } from '../lib/subgraph';
import type { MarketingLoaders } from './loaders';
import {
  campaignPage,
  campaignPerformance,
  type CampaignPerformanceRow,
  type CampaignRow,
  type ConversionRow,
} from './store';

type Context = SubgraphContext<MarketingLoaders>;
type RangeArgs = { from?: Date | null; to?: Date | null };
type Performance = { campaign: CampaignPerformanceRow; conversionCount: number; range: { from: Date; to: Date } };

const rangeOf = ({ from, to }: RangeArgs): Required<TimeRange> => ({ from: from ?? null, to: to ?? null });

async function conversionOfOrder(id: string, { loaders }: Context) {
  const orderId = idOf(id);
  return orderId === null ? null : ((await loaders.conversionsByOrder.load(orderId))[0] ?? null);
}

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime,
  Query: {
    campaign: (_, { id }, { loaders }) => loaders.campaign.load(id),
    campaigns: (_, { filter, first, after }, { db }) => campaignPage(db, filter, { first, after }),
    campaignPerformance: async (_, { from, to }: { from: Date; to: Date }, { db }): Promise<Performance[]> =>
      (await campaignPerformance(db, { from, to })).map((row) => ({ campaign: row, conversionCount: row.conversion_count, range: { from, to } })),
  },
  Campaign: {
    __resolveReference: ({ id }: { id: string }, { loaders }: Context) => loaders.campaign.load(id),
    // Relative to now: the seed ends its story at the time it runs.
    status: (campaign: CampaignRow) => {
      const now = Date.now();
      return campaign.starts_at.getTime() > now ? 'PLANNED' : campaign.ends_at.getTime() > now ? 'ACTIVE' : 'COMPLETED';
    },
    startsAt: (campaign: CampaignRow) => campaign.starts_at,
    endsAt: (campaign: CampaignRow) => campaign.ends_at,
    conversions: async (campaign: CampaignRow, { first, after, ...args }: RangeArgs & { first: number; after?: string | null }, { loaders }) => {
      const size = pageSize(first);
      checkTimeCursor(after);
      const range = rangeOf(args);
      const rows = await loaders.conversionsByCampaign({ ...range, limit: size + 1, after: after ?? null }).load(campaign.id);
      return {
        ...toConnection(rows, size, (row) => row.converted_at),
        totalCount: async () => (await loaders.conversionCountByCampaign(range).load(campaign.id))[0]?.count ?? 0,
      };
    },
    conversionCount: async (campaign: CampaignRow, args: RangeArgs, { loaders }) =>
      (await loaders.conversionCountByCampaign(rangeOf(args)).load(campaign.id))[0]?.count ?? 0,
  },
  Conversion: {
    __resolveReference: ({ id }: { id: string }, { loaders }: Context) => loaders.conversion.load(id),
    campaign: (conversion: ConversionRow, _, { loaders }) => loaders.campaign.load(conversion.campaign_id),
    order: (conversion: ConversionRow) => ({ id: String(conversion.order_id) }),
    customer: (conversion: ConversionRow) => ({ id: String(conversion.customer_id) }),
    convertedAt: (conversion: ConversionRow) => conversion.converted_at,
    attributionModel: (conversion: ConversionRow) => conversion.attribution_model,
  },
  Order: {
    conversion: ({ id }: { id: string }, _, context) => conversionOfOrder(id, context),
    campaign: async ({ id }: { id: string }, _, context) => {
      const conversion = await conversionOfOrder(id, context);
      return conversion ? context.loaders.campaign.load(conversion.campaign_id) : null;
    },
  },
  CampaignPerformance: {
    conversions: async ({ campaign, conversionCount, range }: Performance, { first, after }: { first: number; after?: string | null }, { loaders }) => {
      const size = pageSize(first);
      checkTimeCursor(after);
      const rows = await loaders.conversionsByCampaign({ ...range, limit: size + 1, after: after ?? null }).load(campaign.id);
      // The period's count is already known from campaignPerformance's GROUP BY: no second statement.
      return { ...toConnection(rows, size, (row) => row.converted_at), totalCount: conversionCount };
    },
  },
};
