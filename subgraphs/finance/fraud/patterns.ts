/**
 * Labeled fraud planted in the finance seed: ground truth for training and evaluating the fraud model.
 *
 * Guarantees: every planted transaction carries its pattern as a label (stored in finance.fraud_labels,
 * which no resolver reads); the draws use their own random streams, so planting never changes the
 * customer's ordinary history (the same seed gives the same history, with or without fraud); the same
 * (seed, customer) always plants the same fraud. It also plants legitimate look-alikes (large daytime
 * purchases, big branch withdrawals), unlabeled, so a model cannot learn "large means fraud".
 * Must never: label anything that is not planted fraud, or write outside the finance schema.
 */
import type { Db } from '../../lib/db';
import { randomFor, round2, type Random } from '../../lib/random';
import { DAY_MS, HISTORY_DAYS, type ScenarioOptions } from '../../lib/scenario';

export const FRAUD_PATTERNS = [
  /** The rules' own targets, planted by the seed since before the model: one or two withdrawals of 15-40x the usual at night. */
  'large-night-withdrawal',
  /** Three to five night withdrawals minutes apart. */
  'night-withdrawal-burst',
  /** Someone else holds the app: three to five transfers to one new account within 40 minutes. */
  'account-takeover',
  /** One transfer of 6-20x the usual, between 00:00 and 05:00, to an account never paid before. */
  'night-new-counterparty',
  /** Six to ten ATM withdrawals of ordinary size within 90 minutes in the daytime (a copied card). */
  'velocity-spike',
  /** Planted by the live generator: a withdrawal of 20-40x the customer's median. */
  'live-large-withdrawal',
] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];

/** What the seed needs to plant a customer's fraud: its typical amounts and a way to make an account number. */
export type CustomerProfile = {
  customerId: number;
  city: string;
  typicalTransfer: number;
  typicalWithdrawal: number;
  accountNumber(random: Random): string;
};

export type PlantedDraft = {
  customerId: number;
  type: 'WITHDRAWAL' | 'TRANSFER';
  amount: number;
  occurredAt: number;
  channel: string;
  description: string;
  counterparty: string | null;
  orderId: null;
  injected: false;
  /** The label; undefined for the legitimate look-alikes. */
  fraud?: FraudPattern;
};

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const SHARES = { takeover: 0.015, nightTransfer: 0.01, velocity: 0.01, lookAlike: 0.02 } as const;

/** A moment `daysAgo` UTC days before the story's end, uniformly within [fromHour, toHour). */
const momentOn = (now: number, random: Random, daysAgo: number, fromHour: number, toHour: number) =>
  Math.floor(now / DAY_MS) * DAY_MS - daysAgo * DAY_MS + fromHour * HOUR_MS + random.int(0, (toHour - fromHour) * 3600 - 1) * 1000;

/** The fraud (and the legitimate look-alikes) planted on one customer's account; most customers get none. */
export function plantedFor(options: ScenarioOptions, profile: CustomerProfile): PlantedDraft[] {
  const random = randomFor(options.seed, 'finance-fraud', profile.customerId);
  const drafts: PlantedDraft[] = [];
  const base = { customerId: profile.customerId, orderId: null, injected: false as const };
  const day = () => random.int(1, HISTORY_DAYS - 7);
  const roll = random.next();
  let edge = SHARES.takeover;
  if (roll < edge) {
    const attacker = profile.accountNumber(random);
    // Half at night, half in the evening: takeovers happen when the owner is not looking.
    let at = random.chance(0.5) ? momentOn(options.now, random, day(), 0, 5) : momentOn(options.now, random, day(), 17, 23);
    const count = random.int(3, 5);
    for (let i = 0; i < count; i++) {
      const amount = round2(profile.typicalTransfer * (0.8 + random.next() * 2.2));
      drafts.push({ ...base, type: 'TRANSFER', amount, occurredAt: at, channel: random.pick(['MOBILE', 'ONLINE']), description: 'Transfer', counterparty: attacker, fraud: 'account-takeover' });
      at += random.int(3, 10) * MINUTE_MS;
    }
    return drafts;
  }
  if (roll < (edge += SHARES.nightTransfer)) {
    const amount = round2(profile.typicalTransfer * (6 + random.next() * 14));
    drafts.push({ ...base, type: 'TRANSFER', amount, occurredAt: momentOn(options.now, random, day(), 0, 5), channel: 'ONLINE', description: 'Transfer', counterparty: profile.accountNumber(random), fraud: 'night-new-counterparty' });
    return drafts;
  }
  if (roll < (edge += SHARES.velocity)) {
    let at = momentOn(options.now, random, day(), 9, 19);
    const count = random.int(6, 10);
    for (let i = 0; i < count; i++) {
      const amount = round2(profile.typicalWithdrawal * (0.6 + random.next() * 0.9));
      drafts.push({ ...base, type: 'WITHDRAWAL', amount, occurredAt: at, channel: 'ATM', description: `ATM withdrawal, ${profile.city}`, counterparty: null, fraud: 'velocity-spike' });
      at += random.int(4, 12) * MINUTE_MS;
    }
    return drafts;
  }
  if (roll < (edge += SHARES.lookAlike)) {
    // Legitimate: a large daytime purchase paid to a new account, or a big withdrawal at the branch.
    if (random.chance(0.5)) {
      const amount = round2(profile.typicalTransfer * (5 + random.next() * 15));
      drafts.push({ ...base, type: 'TRANSFER', amount, occurredAt: momentOn(options.now, random, day(), 9, 18), channel: 'ONLINE', description: 'Car purchase', counterparty: profile.accountNumber(random) });
    } else {
      const amount = round2(profile.typicalWithdrawal * (6 + random.next() * 10));
      drafts.push({ ...base, type: 'WITHDRAWAL', amount, occurredAt: momentOn(options.now, random, day(), 9, 17), channel: 'BRANCH', description: `Cash withdrawal at branch, ${profile.city}`, counterparty: null });
    }
  }
  return drafts;
}

/**
 * Labels transactions as planted fraud of `pattern` (for the live generator, after it books them), so the
 * model's quality rules keep measuring against ground truth as data arrives. Idempotent.
 */
export async function labelFraud(db: Db, transactionIds: number[], pattern: FraudPattern): Promise<void> {
  if (!transactionIds.length) return;
  await db.query(
    `INSERT INTO finance.fraud_labels (transaction_id, pattern) SELECT unnest($1::int[]), $2 ON CONFLICT (transaction_id) DO NOTHING`,
    [transactionIds, pattern],
  );
}
