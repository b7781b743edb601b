/**
 * Seeds 40 campaigns spread over the scenario's history (the last ones still
 * running or planned at its end) and attributes about a third of the orders
 * placed while campaigns run to one of them (last touch).
 */
import type { Db } from '../lib/db';
import { progress } from '../lib/progress';
import { randomFor } from '../lib/random';
import { countsFor, DAY_MS, HISTORY_DAYS, orderFacts } from '../lib/scenario';
import { insertRows, toIso } from '../lib/sql';
import type { SeedOptions } from '../lib/subgraph';

export const CAMPAIGN_COUNT = 40;
/** Share of orders placed while campaigns run that are credited to one of them. */
export const ATTRIBUTION_RATE = 0.35;

type Channel = 'EMAIL' | 'SOCIAL' | 'SEARCH' | 'DISPLAY' | 'AFFILIATE';
const CHANNELS = [['EMAIL', 25], ['SOCIAL', 25], ['SEARCH', 25], ['DISPLAY', 15], ['AFFILIATE', 10]] as const;
/** Median spend per day, in EUR. */
const DAILY_BUDGET: Record<Channel, number> = { EMAIL: 150, SOCIAL: 600, SEARCH: 900, DISPLAY: 500, AFFILIATE: 300 };
/** A seasonal theme for each starting month (Jan..Dec), and themes for any time of year. */
const SEASONAL_THEMES = ['New Year Reset', 'Winter Sale', 'Spring Sale', 'Easter Deals', 'Garden Days', 'Summer Deals', 'Summer Deals', 'Back to School', 'Back to School', 'Autumn Refresh', 'Black Friday', 'Holiday Gifts'];
const EVERGREEN_THEMES = ['Loyalty Boost', 'Brand Awareness', 'Flash Sale', 'Free Shipping Week', 'Referral Push'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export type CampaignFacts = { id: number; name: string; channel: Channel; startsAt: number; endsAt: number; budget: number };

/**
 * Campaign starts are evenly spaced (with a few days of jitter) from the start of the
 * history to about 25 days past its end, so the last two are still planned.
 */
export function campaignFacts(options: SeedOptions, id: number): CampaignFacts {
  const random = randomFor(options.seed, 'marketing-campaign', id);
  const spacingDays = (HISTORY_DAYS + 45) / CAMPAIGN_COUNT;
  const startDay = Math.round((id - 1) * spacingDays) + random.int(-4, 4);
  const startsAt = options.now - HISTORY_DAYS * DAY_MS + startDay * DAY_MS;
  const days = random.int(20, 90);
  const channel = random.weighted(CHANNELS);
  const start = new Date(startsAt);
  const theme = random.chance(0.5) ? SEASONAL_THEMES[start.getUTCMonth()] : random.pick(EVERGREEN_THEMES);
  return {
    id,
    name: `${theme} ${MONTHS[start.getUTCMonth()]} ${start.getUTCFullYear()} (${channel.toLowerCase()})`,
    channel,
    startsAt,
    endsAt: startsAt + days * DAY_MS,
    budget: Math.max(1, Math.round((DAILY_BUDGET[channel] * days * random.logNormal(1, 0.3)) / 100)) * 100,
  };
}

/**
 * Last-touch attribution: each order placed while campaigns run is credited to one of them, or to
 * none. `scan.orderId` follows the orders read, for the progress line.
 */
export function* conversionRows(options: SeedOptions, campaigns: CampaignFacts[], scan = { orderId: 0 }) {
  const { orders } = countsFor(options.scale);
  let id = 0;
  for (let orderId = 1; orderId <= orders; orderId++) {
    scan.orderId = orderId;
    const order = orderFacts(options, orderId);
    const running = campaigns.filter((c) => c.startsAt <= order.placedAt && order.placedAt < c.endsAt);
    if (running.length === 0) continue;
    const random = randomFor(options.seed, 'marketing-attribution', orderId);
    if (!random.chance(ATTRIBUTION_RATE)) continue;
    // Bigger daily spend reaches more customers.
    const campaign = random.weighted(running.map((c) => [c, c.budget / (c.endsAt - c.startsAt)] as const));
    yield {
      id: ++id,
      campaign_id: campaign.id,
      order_id: orderId,
      customer_id: order.customerId,
      converted_at: toIso(order.placedAt),
      touchpoints: random.weighted([[1, 30], [2, 25], [3, 18], [4, 12], [5, 9], [6, 6]] as const),
      attribution_model: 'LAST_TOUCH',
    };
  }
}

export async function seed(db: Db, options: SeedOptions) {
  const campaigns = Array.from({ length: CAMPAIGN_COUNT }, (_, i) => campaignFacts(options, i + 1));
  await insertRows(
    db,
    'marketing.campaign',
    { id: 'int', name: 'text', channel: 'text', starts_at: 'timestamptz', ends_at: 'timestamptz', budget: 'numeric' },
    campaigns.map((c) => ({ id: c.id, name: c.name, channel: c.channel, starts_at: toIso(c.startsAt), ends_at: toIso(c.endsAt), budget: c.budget })),
  );
  // Rows are generated while they are inserted, so progress counts the orders read.
  const bar = progress('marketing: conversions for orders', countsFor(options.scale).orders, options.log);
  const scan = { orderId: 0 };
  const inserted = await insertRows(
    db,
    'marketing.conversion',
    { id: 'int', campaign_id: 'int', order_id: 'int', customer_id: 'int', converted_at: 'timestamptz', touchpoints: 'int', attribution_model: 'text' },
    conversionRows(options, campaigns, scan),
    { progress: { tick: () => bar.tick(scan.orderId), finish: bar.finish } },
  );
  bar.finish(`(${inserted.toLocaleString('en-US')} conversions)`);
}
