/** Seeds orders and their lines from the shared scenario (the same story finance and logistics seed from). */
import type { Db } from '../lib/db';
import { progress } from '../lib/progress';
import { countsFor, orderFacts, productProfile, type OrderFacts } from '../lib/scenario';
import { insertRows, toIso } from '../lib/sql';
import type { SeedOptions } from '../lib/subgraph';

const BATCH = 5000;

export async function seed(db: Db, options: SeedOptions) {
  const { orders, products } = countsFor(options.scale);
  // Each line keeps the name its product had in the catalog when it was sold (the products domain's own name).
  const productNames = Array.from({ length: products }, (_, i) => productProfile(options, i + 1).name);
  const bar = progress('sales: orders and lines', orders, options.log);
  for (let start = 1; start <= orders; start += BATCH) {
    const batch: OrderFacts[] = [];
    for (let id = start; id < Math.min(start + BATCH, orders + 1); id++) batch.push(orderFacts(options, id));
    await insertRows(
      db,
      'sales.orders',
      { id: 'int', customer_id: 'int', placed_at: 'timestamptz', status: 'text', total: 'numeric', currency: 'text', updated_at: 'timestamptz' },
      batch.map((order) => ({
        id: order.id,
        customer_id: order.customerId,
        placed_at: toIso(order.placedAt),
        status: order.status,
        total: order.total,
        currency: 'EUR',
        updated_at: toIso(order.placedAt),
      })),
    );
    await insertRows(
      db,
      'sales.order_lines',
      { order_id: 'int', line_no: 'int', product_id: 'int', product_name: 'text', quantity: 'int', unit_price: 'numeric' },
      batch.flatMap((order) =>
        order.lines.map((line) => ({
          order_id: order.id,
          line_no: line.lineNo,
          product_id: line.productId,
          product_name: productNames[line.productId - 1],
          quantity: line.quantity,
          unit_price: line.unitPrice,
        })),
      ),
      { batchSize: 20_000 },
    );
    bar.tick(start + batch.length - 1);
  }
  bar.finish();
}
