/**
 * Customers' next fact for the live generator (subgraphs/lib/liveData.ts): a customer changes their phone
 * number, written through the customers schema only (updated_at is what the freshness rule measures).
 * Never touches the email (unique, and the account managers' row scope reads no contact to decide).
 */
import type { Db } from '../lib/db';
import type { Random } from '../lib/random';
import { countsFor, type ScenarioOptions } from '../lib/scenario';

export async function updateContact(db: Db, options: ScenarioOptions, random: Random, now: number): Promise<number> {
  const id = random.int(1, countsFor(options.scale).customers);
  const phone = `+${random.int(30, 49)} ${random.int(100, 999)} ${random.int(1000000, 9999999)}`;
  await db.query(`UPDATE customers.customer SET phone = $2, updated_at = $3 WHERE id = $1`, [id, phone, new Date(now).toISOString()]);
  return id;
}
