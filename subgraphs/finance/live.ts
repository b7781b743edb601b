/**
 * Finance's next facts for the live generator (subgraphs/lib/liveData.ts): payments for new orders and account
 * activity, some of it anomalous, written through the finance schema only. Every new transaction is scored
 * with the seed's own anomaly rules (assessAnomalies) against the customer's history of its type. As in a
 * booking pipeline, a transaction is booked first (with its score) and the anomaly check flags it after, by
 * an UPDATE, so a flagged transaction is published as added, then as updated (transactionUpdated); earlier
 * transactions that a new one turns into a night burst are flagged the same way. Never rescores anything
 * else; a row's flags always agree with its reasons (the flagged-matches-reasons quality rule).
 */
import { labelFraud } from './fraud/patterns';
import type { Db } from '../lib/db';
import { round2, type Random } from '../lib/random';
import { countsFor, type ScenarioOptions } from '../lib/scenario';
import { assessAnomalies, ruleFlagged, type TransactionSeed } from './seed';

type Kind = TransactionSeed['type'];
type HistoryRow = { id: number; amount: number; occurred_at: Date; anomaly_reasons: string; flagged: boolean };

/** Scores and inserts one transaction; returns its id and whether a rule flagged it. */
async function book(db: Db, draft: { customerId: number; type: Kind; amount: number; occurredAt: number; channel: string | null; description: string; orderId: number | null }) {
  const history = await db.query<HistoryRow>(
    `SELECT id, amount, occurred_at, anomaly_reasons, flagged FROM finance.transactions WHERE customer_id = $1 AND type = $2 ORDER BY occurred_at, id`,
    [draft.customerId, draft.type],
  );
  const seeds: TransactionSeed[] = history.map((row) => ({
    id: row.id, customerId: draft.customerId, type: draft.type, amount: row.amount, occurredAt: row.occurred_at.getTime(), channel: null, description: '', counterparty: null, orderId: null, anomalyScore: 0, reasons: [], injected: false,
  }));
  const fresh: TransactionSeed = { id: 0, ...draft, counterparty: null, anomalyScore: 0, reasons: [], injected: false };
  assessAnomalies([...seeds, fresh].sort((a, b) => a.occurredAt - b.occurredAt));
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO finance.transactions (id, customer_id, type, amount, currency, occurred_at, channel, description, counterparty, order_id, anomaly_score, anomaly_reasons, flagged, rule_flagged)
     SELECT coalesce(max(id), 0) + 1, $1, $2, $3, 'EUR', $4, $5, $6, NULL, $7, $8, $9, $10, $11 FROM finance.transactions RETURNING id`,
    [draft.customerId, draft.type, draft.amount, new Date(draft.occurredAt).toISOString(), draft.channel, draft.description, draft.orderId, fresh.anomalyScore, '', false, false],
  );
  const flag = (id: number, reasons: string[]) =>
    db.query(`UPDATE finance.transactions SET anomaly_reasons = $2, flagged = true, rule_flagged = $3 WHERE id = $1`, [id, reasons.join('\n'), ruleFlagged(reasons)]);
  if (fresh.reasons.length) await flag(row.id, fresh.reasons);
  // A burst is only seen when its last withdrawal arrives: its earlier members are flagged now.
  const burst = seeds.filter((seed, i) => !history[i].flagged && seed.reasons.some((reason) => reason.startsWith('NIGHT_BURST')));
  for (const seed of burst) await flag(seed.id, seed.reasons);
  return { id: row.id, flagged: fresh.reasons.length > 0, updated: burst.length };
}

/** Captures the payment of a new order and books it on the customer's account. */
export async function capturePayment(db: Db, random: Random, order: { id: number; customerId: number; total: number }, now: number) {
  const method = random.weighted([['CARD', 55], ['WALLET', 25], ['BANK_TRANSFER', 12], ['INVOICE', 8]] as const);
  await db.query(
    `INSERT INTO finance.payments (id, order_id, customer_id, amount, currency, method, status, paid_at, refunded_at)
     SELECT coalesce(max(id), 0) + 1, $1, $2, $3, 'EUR', $4, 'CAPTURED', $5, NULL FROM finance.payments`,
    [order.id, order.customerId, order.total, method, new Date(now).toISOString()],
  );
  const channel = method === 'CARD' ? 'CARD' : method === 'WALLET' ? 'MOBILE' : 'ONLINE';
  return book(db, { customerId: order.customerId, type: 'PAYMENT', amount: order.total, occurredAt: now, channel, description: `Payment for order ${order.id}`, orderId: order.id });
}

/**
 * Books account activity: a deposit, withdrawal or transfer of a usual size for the customer, or, when
 * `anomalous`, a withdrawal of 20 to 40 times the median of a customer with a withdrawal history, which the
 * LARGE_WITHDRAWAL rule flags (at night, several in a row also form a NIGHT_BURST).
 */
export async function bookActivity(db: Db, options: ScenarioOptions, random: Random, anomalous: boolean, now: number) {
  const customers = countsFor(options.scale).customers;
  if (anomalous) {
    // A few random customers, each read by its index, until one has a withdrawal history to stand out from.
    for (let attempt = 0; attempt < 5; attempt++) {
      const customerId = random.int(1, customers);
      const rows = await db.query<{ amount: number }>(`SELECT amount FROM finance.transactions WHERE customer_id = $1 AND type = 'WITHDRAWAL' ORDER BY amount`, [customerId]);
      if (rows.length < 4) continue;
      const median = rows[rows.length >> 1].amount;
      const amount = round2(median * (20 + random.next() * 20));
      const booked = await book(db, { customerId, type: 'WITHDRAWAL', amount, occurredAt: now, channel: 'ATM', description: 'ATM withdrawal', orderId: null });
      // Ground truth for the fraud model's quality rules: unlabeled, live anomalies would count as legitimate.
      await labelFraud(db, [booked.id], 'live-large-withdrawal');
      return booked;
    }
  }
  const customerId = random.int(1, customers);
  const type = random.weighted([['DEPOSIT', 30], ['WITHDRAWAL', 45], ['TRANSFER', 25]] as const);
  const median = { DEPOSIT: 1400, WITHDRAWAL: 120, TRANSFER: 350 }[type];
  const channel = type === 'WITHDRAWAL' ? 'ATM' : random.pick(['ONLINE', 'MOBILE'] as const);
  const description = type === 'DEPOSIT' ? 'Incoming transfer' : type === 'WITHDRAWAL' ? 'ATM withdrawal' : 'Outgoing transfer';
  return book(db, { customerId, type, amount: Math.max(0.5, round2(random.logNormal(median, 0.3))), occurredAt: now, channel, description, orderId: null });
}
