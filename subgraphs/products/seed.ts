/** Seeds the product catalog from the shared scenario: prices agree with order lines, names with what sales recorded as sold. */
import type { Db } from '../lib/db';
import { progress } from '../lib/progress';
import { countsFor, productFacts, productProfile } from '../lib/scenario';
import { insertRows, toIso } from '../lib/sql';
import type { SeedOptions } from '../lib/subgraph';

export async function seed(db: Db, options: SeedOptions) {
  const { products } = countsFor(options.scale);
  const bar = progress('products: products', products, options.log);
  function* rows() {
    for (let id = 1; id <= products; id++) {
      const profile = productProfile(options, id);
      yield {
        id,
        sku: `${profile.category.slice(0, 3)}-${String(id).padStart(6, '0')}`,
        name: profile.name,
        category: profile.category,
        price: productFacts(options, id).price,
        currency: 'EUR',
        active: profile.active,
        created_at: toIso(profile.createdAt),
        updated_at: toIso(profile.updatedAt),
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
