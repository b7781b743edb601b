/** Seeds the product catalog; prices come from the shared scenario so order lines agree with them. */
import type { Db } from '../lib/db';
import { progress } from '../lib/progress';
import { randomFor } from '../lib/random';
import { countsFor, DAY_MS, productFacts, recentChangeAt } from '../lib/scenario';
import { insertRows, toIso } from '../lib/sql';
import type { SeedOptions } from '../lib/subgraph';

export const CATEGORIES = ['ELECTRONICS', 'HOME', 'GARDEN', 'FASHION', 'SPORTS', 'BEAUTY', 'TOYS', 'GROCERY'] as const;
const NOUNS: Record<(typeof CATEGORIES)[number], string[]> = {
  ELECTRONICS: ['Headphones', 'Charger', 'Speaker', 'Monitor', 'Keyboard'],
  HOME: ['Lamp', 'Blanket', 'Vase', 'Kettle', 'Shelf'],
  GARDEN: ['Hose', 'Planter', 'Shears', 'Lantern', 'Seeds'],
  FASHION: ['Jacket', 'Scarf', 'Sneakers', 'Backpack', 'Belt'],
  SPORTS: ['Yoga Mat', 'Bottle', 'Helmet', 'Racket', 'Gloves'],
  BEAUTY: ['Serum', 'Soap', 'Brush', 'Lotion', 'Perfume'],
  TOYS: ['Puzzle', 'Robot', 'Blocks', 'Kite', 'Doll'],
  GROCERY: ['Coffee', 'Olive Oil', 'Tea', 'Chocolate', 'Pasta'],
};
const ADJECTIVES = ['Classic', 'Compact', 'Eco', 'Premium', 'Smart', 'Travel', 'Urban', 'Nordic'];

export async function seed(db: Db, options: SeedOptions) {
  const { products } = countsFor(options.scale);
  const bar = progress('products: products', products, options.log);
  function* rows() {
    for (let id = 1; id <= products; id++) {
      const facts = productFacts(options, id);
      const random = randomFor(options.seed, 'product-profile', id);
      const category = CATEGORIES[facts.categoryIndex];
      const createdAt = options.now - random.int(800, 2000) * DAY_MS;
      yield {
        id,
        sku: `${category.slice(0, 3)}-${String(id).padStart(6, '0')}`,
        name: `${random.pick(ADJECTIVES)} ${random.pick(NOUNS[category])}`,
        category,
        price: facts.price,
        currency: 'EUR',
        active: random.chance(0.93),
        created_at: toIso(createdAt),
        // Prices and stock change all the time: the last change falls anywhere since creation, recent ones most often.
        updated_at: toIso(recentChangeAt(random, createdAt, options.now)),
      };
    }
  }
  await insertRows(
    db,
    'products.product',
    { id: 'int', sku: 'text', name: 'text', category: 'text', price: 'numeric', currency: 'text', active: 'boolean', created_at: 'timestamptz', updated_at: 'timestamptz' },
    rows(),
    { progress: bar },
  );
  bar.finish();
}
