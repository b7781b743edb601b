/**
 * Sales' next facts for the live generator (subgraphs/lib/liveData.ts): new orders and their status changes,
 * written through the sales schema only. Guarantees: an order and its lines are inserted in one statement
 * (never an order without lines), totals equal the sum of the lines, each line keeps its product's catalog name
 * (products are never renamed, so it stays the catalog's name), and ids continue after the largest one.
 */
import type { Db } from '../lib/db';
import type { Random } from '../lib/random';
import { round2 } from '../lib/random';
import { countsFor, productFacts, productProfile, type OrderStatus, type ScenarioOptions } from '../lib/scenario';

export type LiveOrder = { id: number; customerId: number; total: number; placedAt: number };

/** Places a new order (PLACED) for a customer of the story, with one to three lines at list price. */
export async function placeOrder(db: Db, options: ScenarioOptions, random: Random, now: number): Promise<LiveOrder> {
  const counts = countsFor(options.scale);
  const customerId = 1 + Math.floor(counts.customers * Math.pow(random.next(), 1.7));
  const productIds = [...new Set(Array.from({ length: random.int(1, 3) }, () => random.int(1, counts.products)))];
  const lines = productIds.map((productId, i) => ({
    lineNo: i + 1,
    productId,
    productName: productProfile(options, productId).name,
    quantity: random.weighted([[1, 70], [2, 20], [3, 10]] as const),
    unitPrice: productFacts(options, productId).price,
  }));
  const total = round2(lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0));
  const placedAt = new Date(now).toISOString();
  const [row] = await db.query<{ order_id: number }>(
    `WITH o AS (
       INSERT INTO sales.orders (id, customer_id, placed_at, status, total, currency, updated_at)
       SELECT coalesce(max(id), 0) + 1, $1, $2, 'PLACED', $3, 'EUR', $2 FROM sales.orders RETURNING id)
     INSERT INTO sales.order_lines (order_id, line_no, product_id, product_name, quantity, unit_price)
     SELECT o.id, l.line_no, l.product_id, l.product_name, l.quantity, l.unit_price
       FROM o, unnest($4::int[], $5::int[], $6::text[], $7::int[], $8::numeric[]) AS l(line_no, product_id, product_name, quantity, unit_price)
     RETURNING order_id`,
    [
      customerId,
      placedAt,
      total,
      lines.map((l) => l.lineNo),
      lines.map((l) => l.productId),
      lines.map((l) => l.productName),
      lines.map((l) => l.quantity),
      lines.map((l) => l.unitPrice),
    ],
  );
  return { id: row.order_id, customerId, total, placedAt: now };
}

export async function setOrderStatus(db: Db, orderId: number, status: OrderStatus, now: number): Promise<void> {
  await db.query(`UPDATE sales.orders SET status = $2, updated_at = $3 WHERE id = $1`, [orderId, status, new Date(now).toISOString()]);
}

/** The order that has waited longest in `status`, if any. */
export async function oldestOrderWithStatus(db: Db, status: OrderStatus): Promise<{ id: number; customerId: number } | null> {
  const [row] = await db.query<{ id: number; customer_id: number }>(`SELECT id, customer_id FROM sales.orders WHERE status = $1 ORDER BY placed_at, id LIMIT 1`, [status]);
  return row ? { id: row.id, customerId: row.customer_id } : null;
}
