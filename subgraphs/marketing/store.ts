/** The marketing domain's data access: every SQL statement this product runs. */
import type { Db } from '../lib/db';
import { afterCursorCondition, keysetPage, type PageArgs } from '../lib/pagination';
import { timeRangeConditions, whereClause, type TimeRange } from '../lib/sql';

export type CampaignRow = {
  id: number;
  name: string;
  channel: string;
  starts_at: Date;
  ends_at: Date;
  budget: number;
};

export type ConversionRow = {
  id: number;
  campaign_id: number;
  order_id: number;
  customer_id: number;
  converted_at: Date;
  touchpoints: number;
  attribution_model: string;
};

export type CampaignFilter = { status?: 'PLANNED' | 'ACTIVE' | 'COMPLETED' | null; channel?: string | null; activeOn?: Date | null };
export type CountRow = { campaign_id: number; count: number };
export type CampaignPerformanceRow = CampaignRow & { conversion_count: number };

/** Campaign columns, with the budget as a float on PGlite and PostgreSQL alike. */
const CAMPAIGN = `id, name, channel, starts_at, ends_at, budget::float8 AS budget`;

export const campaignsByIds = (db: Db, ids: number[]) =>
  db.query<CampaignRow>(`SELECT ${CAMPAIGN} FROM marketing.campaign WHERE id = ANY($1::int[])`, [ids]);

export const conversionsByIds = (db: Db, ids: number[]) =>
  db.query<ConversionRow>(`SELECT * FROM marketing.conversion WHERE id = ANY($1::int[])`, [ids]);

export const conversionsByOrderIds = (db: Db, orderIds: number[]) =>
  db.query<ConversionRow>(`SELECT * FROM marketing.conversion WHERE order_id = ANY($1::int[])`, [orderIds]);

function campaignConditions(filter: CampaignFilter | null | undefined, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (filter?.status) {
    // Status is relative to now: the seed ends its story at the time it runs, and live data continues it.
    const anchor = `$${params.push(new Date().toISOString())}::timestamptz`;
    if (filter.status === 'PLANNED') conditions.push(`starts_at > ${anchor}`);
    if (filter.status === 'ACTIVE') conditions.push(`starts_at <= ${anchor} AND ends_at > ${anchor}`);
    if (filter.status === 'COMPLETED') conditions.push(`ends_at <= ${anchor}`);
  }
  if (filter?.channel) conditions.push(`channel = $${params.push(filter.channel)}`);
  if (filter?.activeOn) {
    const at = `$${params.push(filter.activeOn.toISOString())}::timestamptz`;
    conditions.push(`starts_at <= ${at} AND ends_at > ${at}`);
  }
  return conditions;
}

/** Campaigns by id, which is the order they start in. */
export const campaignPage = (db: Db, filter: CampaignFilter | null | undefined, page: PageArgs) =>
  keysetPage<CampaignRow>(
    db,
    { from: 'marketing.campaign', columns: CAMPAIGN, conditions: (params) => campaignConditions(filter, params), sortColumn: 'id', direction: 'ASC', sortValueOf: (row) => row.id },
    page,
  );

/**
 * The first `limit` conversions of each campaign after the cursor, newest first: one
 * statement for many campaigns, each read through its (campaign_id, converted_at, id) index.
 */
export function conversionsForCampaigns(db: Db, campaignIds: number[], range: TimeRange, limit: number, after: string | null) {
  const params: unknown[] = [campaignIds];
  const conditions = ['campaign_id = parent.parent_id', ...timeRangeConditions('converted_at', range, params)];
  const cursor = afterCursorCondition('converted_at', 'id', 'DESC', after, params);
  if (cursor) conditions.push(cursor);
  return db.query<ConversionRow>(
    `SELECT v.* FROM unnest($1::int[]) AS parent(parent_id)
     CROSS JOIN LATERAL (
       SELECT * FROM marketing.conversion ${whereClause(conditions)}
       ORDER BY converted_at DESC, id DESC LIMIT $${params.push(limit)}
     ) v`,
    params,
  );
}

export function conversionCounts(db: Db, campaignIds: number[], range: TimeRange) {
  const params: unknown[] = [campaignIds];
  const conditions = ['campaign_id = ANY($1::int[])', ...timeRangeConditions('converted_at', range, params)];
  return db.query<CountRow>(
    `SELECT campaign_id, count(*)::int AS count FROM marketing.conversion ${whereClause(conditions)} GROUP BY campaign_id`,
    params,
  );
}

/** Campaigns running in [from, to) with their conversions in that period, in one GROUP BY. */
export function campaignPerformance(db: Db, range: { from: Date; to: Date }) {
  return db.query<CampaignPerformanceRow>(
    `SELECT c.id, c.name, c.channel, c.starts_at, c.ends_at, c.budget::float8 AS budget, count(v.id)::int AS conversion_count
     FROM marketing.campaign c
     LEFT JOIN marketing.conversion v ON v.campaign_id = c.id AND v.converted_at >= $1 AND v.converted_at < $2
     WHERE c.starts_at < $2 AND c.ends_at > $1
     GROUP BY c.id
     ORDER BY conversion_count DESC, c.id`,
    [range.from.toISOString(), range.to.toISOString()],
  );
}
