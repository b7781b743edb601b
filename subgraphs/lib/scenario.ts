/**
 * The shared business story behind the seed data: which customer placed which
 * order, when, for which products. Domains seed their own tables from it (sales
 * its orders, finance the payments for those orders, logistics their shipments)
 * so the data products agree with each other, as they would in a company where
 * each domain consumes the others' events.
 *
 * Everything is a pure function of (seed, scale, now, id): no domain needs another's
 * database to seed, and the same options produce the same rows. `now` is the
 * moment the story ends: the seeding time when the mesh seeds (so a fresh mesh
 * is fresh and the catalog's freshness tells the truth), a pinned day in tests.
 */
import { randomFor, round2, type Random } from './random';

/** `now`: epoch milliseconds at which the story ends; its data covers the two years before it. */
export type ScenarioOptions = { seed: number; scale: number; now: number };

export const DAY_MS = 86_400_000;
/** The `now` tests pin (TEST_SEED), so they can assert exact results; real seeding uses the time it runs. */
export const ANCHOR = Date.UTC(2026, 9, 31);
export const HISTORY_DAYS = 730;
/**
 * The last orders of the story are placed in its final hour, one every RECENT_ORDER_SPACING_MS, as a shop that is
 * open now would see them: without them a small seed's newest order could be a day old, and every freshness
 * target would be breached right after seeding.
 */
export const RECENT_ORDERS = 12;
export const RECENT_ORDER_SPACING_MS = 4 * 60_000;
/** The orders just before those left the warehouse in the story's final hour, so logistics has fresh dispatches too. */
export const RECENT_DISPATCHES = 4;

export const ZONES = [
  ['North', 'DE'], ['South', 'DE'], ['East', 'DE'], ['West', 'DE'],
  ['Paris', 'FR'], ['Lyon', 'FR'], ['Marseille', 'FR'], ['Lille', 'FR'],
  ['Madrid', 'ES'], ['Barcelona', 'ES'], ['Valencia', 'ES'], ['Seville', 'ES'],
  ['Milan', 'IT'], ['Rome', 'IT'], ['Naples', 'IT'], ['Turin', 'IT'],
  ['Amsterdam', 'NL'], ['Rotterdam', 'NL'], ['Brussels', 'BE'], ['Antwerp', 'BE'],
  ['Vienna', 'AT'], ['Zurich', 'CH'], ['Geneva', 'CH'], ['Warsaw', 'PL'],
] as const;

/**
 * When a record last changed, between `since` and `now`: most records changed recently (a skewed draw), so the
 * newest change of even a few dozen records is minutes old, as in a system that is in use.
 */
export function recentChangeAt(random: Random, since: number, now: number): number {
  return Math.round(now - (now - since) * Math.pow(random.next(), 6));
}

export type Counts = { customers: number; products: number; orders: number };

export function countsFor(scale: number): Counts {
  return {
    customers: Math.max(20, Math.round(10_000 * scale)),
    products: Math.max(40, Math.round(500 * scale)),
    orders: Math.max(100, Math.round(100_000 * scale)),
  };
}

export type CustomerFacts = { id: number; zoneId: number; signedUpAt: number; segment: 'CONSUMER' | 'SMALL_BUSINESS' | 'ENTERPRISE' };

export function customerFacts(options: ScenarioOptions, id: number): CustomerFacts {
  const random = randomFor(options.seed, 'customer', id);
  return {
    id,
    zoneId: random.int(1, ZONES.length),
    signedUpAt: options.now - random.int(HISTORY_DAYS + 10, HISTORY_DAYS + 1500) * DAY_MS,
    segment: random.weighted([['CONSUMER', 80], ['SMALL_BUSINESS', 15], ['ENTERPRISE', 5]] as const),
  };
}

export type ProductFacts = { id: number; price: number; categoryIndex: number };

export function productFacts(options: ScenarioOptions, id: number): ProductFacts {
  const random = randomFor(options.seed, 'product', id);
  return { id, price: Math.floor(random.logNormal(35, 0.9)) + 0.99, categoryIndex: random.int(0, 7) };
}

/** The catalog's categories; `ProductFacts.categoryIndex` indexes them. */
export const PRODUCT_CATEGORIES = ['ELECTRONICS', 'HOME', 'GARDEN', 'FASHION', 'SPORTS', 'BEAUTY', 'TOYS', 'GROCERY'] as const;
const PRODUCT_NOUNS: Record<(typeof PRODUCT_CATEGORIES)[number], string[]> = {
  ELECTRONICS: ['Headphones', 'Charger', 'Speaker', 'Monitor', 'Keyboard'],
  HOME: ['Lamp', 'Blanket', 'Vase', 'Kettle', 'Shelf'],
  GARDEN: ['Hose', 'Planter', 'Shears', 'Lantern', 'Seeds'],
  FASHION: ['Jacket', 'Scarf', 'Sneakers', 'Backpack', 'Belt'],
  SPORTS: ['Yoga Mat', 'Bottle', 'Helmet', 'Racket', 'Gloves'],
  BEAUTY: ['Serum', 'Soap', 'Brush', 'Lotion', 'Perfume'],
  TOYS: ['Puzzle', 'Robot', 'Blocks', 'Kite', 'Doll'],
  GROCERY: ['Coffee', 'Olive Oil', 'Tea', 'Chocolate', 'Pasta'],
};
const PRODUCT_ADJECTIVES = ['Classic', 'Compact', 'Eco', 'Premium', 'Smart', 'Travel', 'Urban', 'Nordic'];

export type ProductProfile = { category: (typeof PRODUCT_CATEGORIES)[number]; name: string; createdAt: number; active: boolean; updatedAt: number };

/**
 * The products domain's catalog entry for a product. Sales reads the name from here too: order lines keep the
 * product's name as sold, and since no product is ever renamed (the catalog has no mutation and no live
 * generator), that snapshot always equals the catalog's name.
 */
export function productProfile(options: ScenarioOptions, id: number): ProductProfile {
  const category = PRODUCT_CATEGORIES[productFacts(options, id).categoryIndex];
  const random = randomFor(options.seed, 'product-profile', id);
  const createdAt = options.now - random.int(800, 2000) * DAY_MS;
  const name = `${random.pick(PRODUCT_ADJECTIVES)} ${random.pick(PRODUCT_NOUNS[category])}`;
  const active = random.chance(0.93);
  // Prices and stock change all the time: the last change falls anywhere since creation, recent ones most often.
  return { category, name, createdAt, active, updatedAt: recentChangeAt(random, createdAt, options.now) };
}

export type OrderStatus = 'PLACED' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'RETURNED';
export type OrderLineFacts = { lineNo: number; productId: number; quantity: number; unitPrice: number };
export type OrderFacts = {
  id: number;
  customerId: number;
  placedAt: number;
  status: OrderStatus;
  lines: OrderLineFacts[];
  total: number;
  /** Set for the story's last dispatches: when the parcel left the warehouse. */
  dispatchedAt?: number;
};

// Share of orders per month (Jan..Dec): a retail year with a strong Q4.
const MONTH_WEIGHT = [0.8, 0.75, 0.9, 0.9, 0.95, 0.9, 0.85, 0.85, 0.95, 1.05, 1.5, 1.8];

export function orderFacts(options: ScenarioOptions, id: number): OrderFacts {
  const counts = countsFor(options.scale);
  const random = randomFor(options.seed, 'order', id);
  // A few loyal customers place many orders: skew towards low ids.
  const customerId = 1 + Math.floor(counts.customers * Math.pow(random.next(), 1.7));
  let daysAgo = random.int(0, HISTORY_DAYS - 1);
  for (let attempt = 0; attempt < 8; attempt++) {
    const month = new Date(options.now - daysAgo * DAY_MS).getUTCMonth();
    if (random.next() < MONTH_WEIGHT[month] / 1.8) break;
    daysAgo = random.int(0, HISTORY_DAYS - 1);
  }
  let placedAt = options.now - daysAgo * DAY_MS - random.int(0, DAY_MS / 1000 - 1) * 1000;
  const fromLast = counts.orders - id;
  let dispatchedAt: number | undefined;
  if (fromLast < RECENT_ORDERS) {
    daysAgo = 0;
    placedAt = options.now - (fromLast + 1) * RECENT_ORDER_SPACING_MS + random.int(0, RECENT_ORDER_SPACING_MS / 1000 - 1) * 1000;
  } else if (fromLast < RECENT_ORDERS + RECENT_DISPATCHES) {
    daysAgo = 1;
    placedAt = options.now - DAY_MS - random.int(0, 12 * 3600) * 1000;
    dispatchedAt = options.now - (fromLast - RECENT_ORDERS + 1) * 12 * 60_000 + random.int(0, 600) * 1000;
  }
  const lineCount = random.weighted([[1, 40], [2, 30], [3, 15], [4, 10], [5, 5]] as const);
  const lines: OrderLineFacts[] = [];
  const used = new Set<number>();
  for (let lineNo = 1; lineNo <= lineCount; lineNo++) {
    let productId = 1 + Math.floor(counts.products * Math.pow(random.next(), 1.4));
    while (used.has(productId)) productId = (productId % counts.products) + 1;
    used.add(productId);
    const quantity = random.weighted([[1, 70], [2, 20], [3, 6], [5, 3], [10, 1]] as const);
    lines.push({ lineNo, productId, quantity, unitPrice: productFacts(options, productId).price });
  }
  const total = round2(lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0));
  let status: OrderStatus;
  if (dispatchedAt !== undefined) status = 'SHIPPED';
  else if (random.chance(0.04)) status = 'CANCELLED';
  else if (daysAgo < 2) status = random.pick(['PLACED', 'PAID'] as const);
  else if (daysAgo < 6) status = random.pick(['PAID', 'SHIPPED', 'SHIPPED'] as const);
  else status = random.chance(0.035) ? 'RETURNED' : 'DELIVERED';
  return { id, customerId, placedAt, status, lines, total, ...(dispatchedAt !== undefined && { dispatchedAt }) };
}
