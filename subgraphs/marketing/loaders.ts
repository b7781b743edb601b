/**
 * One loader set per request: every Campaign, Conversion or Order reference in a
 * request costs one SQL statement per type, and a field with arguments asked on
 * many campaigns costs one statement per distinct argument set.
 */
import type { Db } from '../lib/db';
import type { TimeRange } from '../lib/sql';
import { byIdLoader, byParentLoader, perArguments } from '../lib/loaders';
import {
  campaignsByIds,
  conversionCounts,
  conversionsByIds,
  conversionsByOrderIds,
  conversionsForCampaigns,
  type ConversionRow,
  type CountRow,
} from './store';

export type CampaignPageKey = { from: Date | null; to: Date | null; limit: number; after: string | null };


export const createLoaders = (db: Db) => ({
  campaign: byIdLoader((ids) => campaignsByIds(db, ids)),
  conversion: byIdLoader((ids) => conversionsByIds(db, ids)),
  /** At most one conversion per order id. */
  conversionsByOrder: byParentLoader<ConversionRow>('order_id', (orderIds) => conversionsByOrderIds(db, orderIds)),
  conversionsByCampaign: perArguments(({ from, to, limit, after }: CampaignPageKey) =>
    byParentLoader<ConversionRow>('campaign_id', (campaignIds) => conversionsForCampaigns(db, campaignIds, { from, to }, limit, after)),
  ),
  conversionCountByCampaign: perArguments((range: TimeRange) =>
    byParentLoader<CountRow>('campaign_id', (campaignIds) => conversionCounts(db, campaignIds, range)),
  ),
});

export type MarketingLoaders = ReturnType<typeof createLoaders>;
