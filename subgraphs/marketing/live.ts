/**
 * Marketing's next fact for the live generator (subgraphs/lib/liveData.ts): a new order placed while campaigns
 * run is credited to one of them (last touch) at the seed's attribution rate, written through the marketing
 * schema only, so conversions stay fresh while the mesh runs. Keeps the seed's rules: at most one campaign per
 * order, converted while the campaign runs (the conversions-within-campaign quality rule).
 */
import type { Db } from '../lib/db';
import type { Random } from '../lib/random';
import { ATTRIBUTION_RATE } from './seed';

/** Credits the order to a campaign running now, weighted by budget; returns the campaign id, or null when none is credited. */
export async function attributeOrder(db: Db, random: Random, order: { id: number; customerId: number }, now: number): Promise<number | null> {
  if (!random.chance(ATTRIBUTION_RATE)) return null;
  const at = new Date(now).toISOString();
  const running = await db.query<{ id: number; budget: number }>(`SELECT id, budget FROM marketing.campaign WHERE starts_at <= $1 AND ends_at > $1`, [at]);
  if (running.length === 0) return null;
  const campaignId = random.weighted(running.map((campaign) => [campaign.id, campaign.budget] as const));
  await db.query(
    `INSERT INTO marketing.conversion (id, campaign_id, order_id, customer_id, converted_at, touchpoints, attribution_model)
     SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4, $5, 'LAST_TOUCH' FROM marketing.conversion`,
    [campaignId, order.id, order.customerId, at, random.weighted([[1, 30], [2, 25], [3, 18], [4, 12], [5, 9], [6, 6]] as const)],
  );
  return campaignId;
}
