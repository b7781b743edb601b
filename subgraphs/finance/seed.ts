/**
 * Seeds payments for the shared scenario's orders and the customers' account
 * transactions, then scores every transaction against its customer's history
 * (the same rules a booking pipeline would run). About 0.3% of transactions are
 * injected anomalies (large night-time withdrawals, bursts of night withdrawals),
 * so the anomaly endpoint has something real to find; fraud/patterns.ts plants
 * more labeled fraud (and legitimate look-alikes), and every planted fraud's label
 * goes to finance.fraud_labels, the fraud model's ground truth.
 */
import type { Db } from '../lib/db';
import { progress } from '../lib/progress';
import { randomFor, round2, type Random } from '../lib/random';
import { countsFor, customerFacts, DAY_MS, HISTORY_DAYS, orderFacts, ZONES, type CustomerFacts, type OrderFacts, type ScenarioOptions } from '../lib/scenario';
import { insertRows, toIso } from '../lib/sql';
import type { SeedOptions } from '../lib/subgraph';
import { plantedFor, type CustomerProfile, type FraudPattern } from './fraud/patterns';

const HOUR_MS = 3_600_000;
const CURRENCY = 'EUR';

export type PaymentSeed = {
  id: number;
  orderId: number;
  customerId: number;
  amount: number;
  method: string;
  status: 'AUTHORIZED' | 'CAPTURED' | 'REFUNDED' | 'FAILED';
  paidAt: number;
  refundedAt: number | null;
};

export type TransactionSeed = {
  id: number;
  customerId: number;
  type: 'DEPOSIT' | 'WITHDRAWAL' | 'PAYMENT' | 'REFUND' | 'TRANSFER' | 'FEE';
  amount: number;
  occurredAt: number;
  channel: string | null;
  description: string;
  counterparty: string | null;
  orderId: number | null;
  anomalyScore: number;
  reasons: string[];
  /** Placed by the seed as a known anomaly for the rules; never stored, only for tests. */
  injected: boolean;
  /** Planted fraud of this pattern (stored in finance.fraud_labels, never served); undefined for legitimate transactions. */
  fraud?: FraudPattern;
};

// ---- payments: one per order that was paid, authorized or attempted -----------------------------

const METHODS = {
  CONSUMER: [['CARD', 55], ['WALLET', 25], ['BANK_TRANSFER', 12], ['INVOICE', 8]],
  SMALL_BUSINESS: [['CARD', 35], ['WALLET', 10], ['BANK_TRANSFER', 25], ['INVOICE', 30]],
  ENTERPRISE: [['CARD', 10], ['BANK_TRANSFER', 30], ['INVOICE', 60]],
} as const;

const PAYMENT_CHANNEL: Record<string, string> = { CARD: 'CARD', WALLET: 'MOBILE', BANK_TRANSFER: 'ONLINE', INVOICE: 'ONLINE' };

function paymentFor(options: ScenarioOptions, order: OrderFacts, customer: CustomerFacts, id: number): PaymentSeed | null {
  const random = randomFor(options.seed, 'finance-payment', order.id);
  // Half of the cancelled orders were cancelled after a failed payment; the others before paying.
  if (order.status === 'CANCELLED' && !random.chance(0.5)) return null;
  // Paid a few seconds to 15 minutes after ordering, and never after the story's end.
  const paidAt = Math.min(order.placedAt + random.int(5, 900) * 1000, options.now - 1000);
  const status = order.status === 'CANCELLED' ? 'FAILED' : order.status === 'PLACED' ? 'AUTHORIZED' : order.status === 'RETURNED' ? 'REFUNDED' : 'CAPTURED';
  let refundedAt: number | null = null;
  if (status === 'REFUNDED') {
    // Returned orders are at least six days old: the refund lands between two days and four weeks later.
    const daysLeft = Math.floor((options.now - paidAt) / DAY_MS);
    refundedAt = paidAt + random.int(2, Math.max(2, Math.min(28, daysLeft - 1))) * DAY_MS + random.int(0, 8 * 3600) * 1000;
  }
  return {
    id,
    orderId: order.id,
    customerId: order.customerId,
    amount: order.total,
    method: random.weighted(METHODS[customer.segment]),
    status,
    paidAt,
    refundedAt,
  };
}

// ---- account activity: deposits, withdrawals, transfers and fees -------------------------------

type ActivityType = 'DEPOSIT' | 'WITHDRAWAL' | 'TRANSFER' | 'FEE';
/** Typical amount for a consumer (scaled by segment and by customer), spread of the log-normal, hours of day (UTC). */
const ACTIVITY: Record<ActivityType, { weight: number; median: number; spread: number; hours: [number, number] }> = {
  DEPOSIT: { weight: 25, median: 1400, spread: 0.3, hours: [6, 20] },
  WITHDRAWAL: { weight: 40, median: 120, spread: 0.45, hours: [7, 21] },
  TRANSFER: { weight: 20, median: 350, spread: 0.6, hours: [6, 22] },
  FEE: { weight: 15, median: 6, spread: 0.3, hours: [1, 3] },
};
const ACTIVITY_WEIGHTS = Object.entries(ACTIVITY).map(([type, { weight }]) => [type as ActivityType, weight] as const);
const SEGMENT_LEVEL = { CONSUMER: 1, SMALL_BUSINESS: 6, ENTERPRISE: 30 } as const;

const DEPOSITS = { personal: ['Salary', 'Cash deposit', 'Incoming transfer', 'Savings interest'], business: ['Customer remittance', 'Cash deposit', 'Incoming transfer', 'Card settlement'] };
const TRANSFERS = { personal: ['Rent', 'Transfer to savings', 'Loan repayment', 'Insurance premium', 'Transfer to a friend'], business: ['Supplier invoice', 'Payroll', 'Tax payment', 'Rent', 'Lease instalment'] };
const FEES = ['Account maintenance fee', 'Card fee', 'Foreign exchange fee', 'Overdraft interest'];

/** A made-up IBAN-shaped account number in the customer's country. */
const accountNumber = (random: Random, country: string) =>
  `${country}${random.int(10, 99)} ${random.int(1000, 9999)} ${random.int(1000, 9999)} ${random.int(1000, 9999)} ${random.int(1000, 9999)} ${random.int(10, 99)}`;

/** A moment on the UTC day `daysAgo` days before the story's end, at a uniformly drawn second within [fromHour, toHour) UTC. */
const momentOn = (now: number, random: Random, daysAgo: number, fromHour: number, toHour: number) =>
  Math.floor(now / DAY_MS) * DAY_MS - daysAgo * DAY_MS + fromHour * HOUR_MS + random.int(0, (toHour - fromHour) * 3600 - 1) * 1000;

type Draft = Omit<TransactionSeed, 'id' | 'anomalyScore' | 'reasons'>;

function accountActivity(options: ScenarioOptions, customer: CustomerFacts): Draft[] {
  const random = randomFor(options.seed, 'finance-account', customer.id);
  const [city, country] = ZONES[customer.zoneId - 1];
  const business = customer.segment !== 'CONSUMER';
  const level = SEGMENT_LEVEL[customer.segment] * random.logNormal(1, 0.5);
  const typical = (type: ActivityType) => ACTIVITY[type].median * level;
  const drafts: Draft[] = [];
  // Most transfers go to (and deposits come from) a few regular accounts, as rent and salary do. A stream of
  // its own decides, so the history's other draws stay as they were; the new account drawn is used otherwise.
  const payees = randomFor(options.seed, 'finance-payees', customer.id);
  const regular = Array.from({ length: 3 }, () => accountNumber(payees, country));
  const regularOrNew = (drawn: string) => (payees.chance(0.8) ? payees.pick(regular) : drawn);
  const add = (type: ActivityType) => {
    const { spread, hours } = ACTIVITY[type];
    const channel =
      type === 'DEPOSIT' ? random.weighted([['ONLINE', 50], ['MOBILE', 30], ['BRANCH', 20]] as const)
      : type === 'WITHDRAWAL' ? random.weighted([['ATM', 80], ['BRANCH', 20]] as const)
      : type === 'TRANSFER' ? random.weighted([['ONLINE', 55], ['MOBILE', 45]] as const)
      : null;
    const description =
      type === 'DEPOSIT' ? random.pick(business ? DEPOSITS.business : DEPOSITS.personal)
      : type === 'WITHDRAWAL' ? (channel === 'ATM' ? `ATM withdrawal, ${city}` : `Cash withdrawal at branch, ${city}`)
      : type === 'TRANSFER' ? random.pick(business ? TRANSFERS.business : TRANSFERS.personal)
      : random.pick(FEES);
    drafts.push({
      customerId: customer.id,
      type,
      amount: Math.max(0.5, round2(random.logNormal(typical(type), spread))),
      occurredAt: momentOn(options.now, random, random.int(1, HISTORY_DAYS), hours[0], hours[1]),
      channel,
      description,
      counterparty: type === 'TRANSFER' || (type === 'DEPOSIT' && channel !== 'BRANCH') ? regularOrNew(accountNumber(random, country)) : null,
      orderId: null,
      injected: false,
    });
  };
  const count = random.int(6, 14);
  for (let i = 0; i < count; i++) add(random.weighted(ACTIVITY_WEIGHTS));

  // About 3% of customers get a planted anomaly, on top of a normal withdrawal history to compare with.
  const anomaly = randomFor(options.seed, 'finance-anomaly', customer.id);
  if (!anomaly.chance(0.03)) return drafts;
  while (drafts.filter((draft) => draft.type === 'WITHDRAWAL').length < 5) add('WITHDRAWAL');
  const nightWithdrawal = (occurredAt: number, amount: number, fraud: FraudPattern): Draft => ({
    customerId: customer.id,
    type: 'WITHDRAWAL',
    amount: round2(amount),
    occurredAt,
    channel: 'ATM',
    description: `ATM withdrawal, ${city}`,
    counterparty: null,
    orderId: null,
    injected: true,
    fraud,
  });
  const daysAgo = anomaly.int(1, HISTORY_DAYS - 7);
  if (anomaly.chance(0.6)) {
    // One or two withdrawals of 15 to 40 times the usual amount, between midnight and 05:00.
    const times = anomaly.chance(0.2) ? 2 : 1;
    for (let i = 0; i < times; i++) {
      drafts.push(nightWithdrawal(momentOn(options.now, anomaly, daysAgo + i * 3, 0, 5), typical('WITHDRAWAL') * (15 + anomaly.next() * 25), 'large-night-withdrawal'));
    }
  } else {
    // A burst: three to five withdrawals a few minutes apart, starting between midnight and 03:30.
    let at = momentOn(options.now, anomaly, daysAgo, 0, 3) + anomaly.int(0, 30) * 60_000;
    const burst = anomaly.int(3, 5);
    for (let i = 0; i < burst; i++) {
      drafts.push(nightWithdrawal(at, typical('WITHDRAWAL') * (1.5 + anomaly.next() * 2.5), 'night-withdrawal-burst'));
      at += anomaly.int(2, 12) * 60_000;
    }
  }
  return drafts;
}

/** The customer's typical amounts, drawn exactly as accountActivity draws them, for planting fraud of a plausible size. */
function profileOf(options: ScenarioOptions, customer: CustomerFacts): CustomerProfile {
  const level = SEGMENT_LEVEL[customer.segment] * randomFor(options.seed, 'finance-account', customer.id).logNormal(1, 0.5);
  const [city, country] = ZONES[customer.zoneId - 1];
  return {
    customerId: customer.id,
    city,
    typicalTransfer: ACTIVITY.TRANSFER.median * level,
    typicalWithdrawal: ACTIVITY.WITHDRAWAL.median * level,
    accountNumber: (random) => accountNumber(random, country),
  };
}

// ---- anomaly rules -----------------------------------------------------------------------------

/** A z-score needs this many other transactions of the same type of the same customer. */
export const MIN_HISTORY = 5;
export const ZSCORE_THRESHOLD = 3;
export const MEDIAN_MULTIPLE = 5;
export const BURST_SIZE = 3;
const isNight = (epochMs: number) => new Date(epochMs).getUTCHours() < 5;
const plural = (type: string) => `${type.toLowerCase()}s`;

/**
 * Scores each transaction against the customer's other transactions of its type:
 * - AMOUNT_OUTLIER: the amount's z-score (leave-one-out mean and standard deviation) is at least 3;
 * - LARGE_WITHDRAWAL: a withdrawal above 5 times the median of the customer's other withdrawals;
 * - NIGHT_BURST: three or more withdrawals within one hour, all between 00:00 and 05:00 UTC.
 * `transactions` must be sorted by time.
 */
export function assessAnomalies(transactions: TransactionSeed[]): void {
  const groups = new Map<string, TransactionSeed[]>();
  for (const transaction of transactions) {
    const key = `${transaction.customerId}:${transaction.type}`;
    const group = groups.get(key);
    if (group) group.push(transaction);
    else groups.set(key, [transaction]);
  }
  for (const group of groups.values()) {
    const n = group.length;
    const sum = group.reduce((total, t) => total + t.amount, 0);
    const squares = group.reduce((total, t) => total + t.amount * t.amount, 0);
    for (const t of group) {
      t.anomalyScore = 0;
      t.reasons = [];
      if (n - 1 < MIN_HISTORY) continue;
      const mean = (sum - t.amount) / (n - 1);
      const variance = (squares - t.amount * t.amount - (n - 1) * mean * mean) / (n - 2);
      // A floor on the deviation keeps near-identical histories (fixed fees) from scoring every cent as extreme.
      const deviation = Math.max(Math.sqrt(Math.max(variance, 0)), 0.1 * mean, 0.01);
      t.anomalyScore = round2((t.amount - mean) / deviation);
      if (t.anomalyScore >= ZSCORE_THRESHOLD) {
        t.reasons.push(`AMOUNT_OUTLIER: ${t.anomalyScore.toFixed(1)} standard deviations above this customer's other ${plural(t.type)}`);
      }
    }
    if (group[0].type !== 'WITHDRAWAL') continue;
    if (n - 1 >= 3) {
      const sorted = group.map((t) => t.amount).sort((a, b) => a - b);
      for (const t of group) {
        const others = [...sorted];
        others.splice(others.indexOf(t.amount), 1);
        const mid = others.length >> 1;
        const median = others.length % 2 ? others[mid] : (others[mid - 1] + others[mid]) / 2;
        const multiple = t.amount / median;
        if (multiple > MEDIAN_MULTIPLE) t.reasons.push(`LARGE_WITHDRAWAL: ${multiple.toFixed(1)} times this customer's median withdrawal`);
      }
    }
    const burst = new Set<number>();
    for (let start = 0; start < n; start++) {
      let end = start;
      while (end + 1 < n && group[end + 1].occurredAt - group[start].occurredAt <= HOUR_MS) end++;
      const window = group.slice(start, end + 1);
      if (window.length >= BURST_SIZE && window.every((t) => isNight(t.occurredAt))) for (let i = start; i <= end; i++) burst.add(i);
    }
    // Each member of a burst names the size of the burst it belongs to (maximal runs of flagged neighbours).
    for (let i = 0; i < n; ) {
      if (!burst.has(i)) {
        i++;
        continue;
      }
      let j = i;
      while (burst.has(j + 1)) j++;
      for (let k = i; k <= j; k++) group[k].reasons.push(`NIGHT_BURST: ${j - i + 1} withdrawals within one hour at night`);
      i = j + 1;
    }
  }
}

const RULE_CODES = ['LARGE_WITHDRAWAL', 'NIGHT_BURST'];
/** Flagged by a rule other than the z-score one: `anomalousTransactions` returns these at any threshold. */
export const ruleFlagged = (reasons: string[]) => reasons.some((reason) => RULE_CODES.some((code) => reason.startsWith(code)));

// ---- the whole data set ------------------------------------------------------------------------

/** Every payment and transaction the seed writes, as a pure function of (seed, scale). */
export function financeSeedData(options: ScenarioOptions): { payments: PaymentSeed[]; transactions: TransactionSeed[] } {
  const counts = countsFor(options.scale);
  const customers = Array.from({ length: counts.customers }, (_, i) => customerFacts(options, i + 1));
  const payments: PaymentSeed[] = [];
  const transactions: TransactionSeed[] = [];
  const add = (draft: Draft) => transactions.push({ id: 0, ...draft, anomalyScore: 0, reasons: [] });
  for (let orderId = 1; orderId <= counts.orders; orderId++) {
    const order = orderFacts(options, orderId);
    const payment = paymentFor(options, order, customers[order.customerId - 1], payments.length + 1);
    if (!payment) continue;
    payments.push(payment);
    if (payment.status !== 'CAPTURED' && payment.status !== 'REFUNDED') continue;
    const { customerId, total } = order;
    add({ customerId, type: 'PAYMENT', amount: total, occurredAt: payment.paidAt, channel: PAYMENT_CHANNEL[payment.method], description: `Payment for order ${orderId}`, counterparty: null, orderId, injected: false });
    if (payment.refundedAt !== null) {
      add({ customerId, type: 'REFUND', amount: total, occurredAt: payment.refundedAt, channel: 'ONLINE', description: `Refund for order ${orderId}`, counterparty: null, orderId, injected: false });
    }
  }
  for (const customer of customers) {
    for (const draft of accountActivity(options, customer)) add(draft);
    for (const draft of plantedFor(options, profileOf(options, customer))) add(draft);
  }
  // Ids follow time (the sort is stable, so equal instants keep generation order).
  transactions.sort((a, b) => a.occurredAt - b.occurredAt);
  transactions.forEach((transaction, i) => (transaction.id = i + 1));
  assessAnomalies(transactions);
  return { payments, transactions };
}

export async function seed(db: Db, options: SeedOptions) {
  const { payments, transactions } = financeSeedData(options);
  const paymentBar = progress('finance: payments', payments.length, options.log);
  await insertRows(
    db,
    'finance.payments',
    { id: 'int', order_id: 'int', customer_id: 'int', amount: 'numeric', currency: 'text', method: 'text', status: 'text', paid_at: 'timestamptz', refunded_at: 'timestamptz' },
    payments.map((p) => ({
      id: p.id,
      order_id: p.orderId,
      customer_id: p.customerId,
      amount: p.amount,
      currency: CURRENCY,
      method: p.method,
      status: p.status,
      paid_at: toIso(p.paidAt),
      refunded_at: p.refundedAt === null ? null : toIso(p.refundedAt),
    })),
    { progress: paymentBar, batchSize: 10_000 },
  );
  paymentBar.finish();
  const transactionBar = progress('finance: transactions', transactions.length, options.log);
  function* rows() {
    for (const t of transactions) {
      yield {
        id: t.id,
        customer_id: t.customerId,
        type: t.type,
        amount: t.amount,
        currency: CURRENCY,
        occurred_at: toIso(t.occurredAt),
        channel: t.channel,
        description: t.description,
        counterparty: t.counterparty,
        order_id: t.orderId,
        anomaly_score: t.anomalyScore,
        anomaly_reasons: t.reasons.join('\n'),
        flagged: t.reasons.length > 0,
        rule_flagged: ruleFlagged(t.reasons),
      };
    }
  }
  await insertRows(
    db,
    'finance.transactions',
    {
      id: 'int', customer_id: 'int', type: 'text', amount: 'numeric', currency: 'text', occurred_at: 'timestamptz', channel: 'text', description: 'text',
      counterparty: 'text', order_id: 'int', anomaly_score: 'numeric', anomaly_reasons: 'text', flagged: 'boolean', rule_flagged: 'boolean',
    },
    rows(),
    { progress: transactionBar, batchSize: 10_000 },
  );
  const labels = transactions.filter((t) => t.fraud).map((t) => ({ transaction_id: t.id, pattern: t.fraud! }));
  await insertRows(db, 'finance.fraud_labels', { transaction_id: 'int', pattern: 'text' }, labels, { batchSize: 10_000 });
  const flagged = transactions.filter((t) => t.reasons.length > 0).length;
  transactionBar.finish(`(${flagged.toLocaleString('en-US')} flagged, ${labels.length.toLocaleString('en-US')} labeled fraud)`);
}
