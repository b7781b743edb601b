/**
 * The live generator: while the mesh runs, the domains keep receiving new facts as a real business would
 * (issue 15). One small scheduler picks the next fact and writes it through each domain's own "next fact"
 * functions (subgraphs/<domain>/live.ts), which touch only their own schema; the domains' triggers publish
 * every change (events.sql), so the generator knows nothing about events.
 *
 * Guarantees: at most one fact in flight (a slow database slows it down, never piles work up), at most
 * `ratePerSecond` facts a second, a failed fact is logged and the next one still comes; stop() ends the
 * timer and waits for the fact in flight, so the caller can close the databases after it. Must never: run
 * when disabled, block a request (it shares nothing with the subgraphs but the database), or write to a
 * schema through another domain's functions.
 */
import type { Db } from './db';
import { randomFor } from './random';
import type { ScenarioOptions } from './scenario';
import { placeOrder, oldestOrderWithStatus, setOrderStatus } from '../sales/live';
import { capturePayment, bookActivity } from '../finance/live';
import { deliverOldest, dispatchOrder } from '../logistics/live';
import { attributeOrder } from '../marketing/live';
import { updateContact } from '../customers/live';

export type LiveDataConfig = { enabled: boolean; ratePerSecond: number };
export type LiveDataStats = {
  facts: number; orders: number; payments: number; transactions: number; anomalous: number; flaggedLater: number; shipmentChanges: number; conversions: number; contactChanges: number; failed: number;
};
export type LiveDatabases = { sales: Db; finance: Db; logistics: Db; marketing: Db; customers: Db };
export type LiveData = { stats: LiveDataStats; stop(): Promise<void> };

export const DEFAULT_LIVE_RATE = 2;
/** Share of account activity that is an anomaly the rules flag. */
export const ANOMALY_SHARE = 0.1;

/** The generator's config from MESHGATE_LIVE_DATA (on/off) and MESHGATE_LIVE_DATA_RATE (facts per second), overridden by flags. */
export function liveDataConfigFrom(env: NodeJS.ProcessEnv, flags: { enabled?: boolean; rate?: string } = {}): LiveDataConfig {
  const switchValue = env.MESHGATE_LIVE_DATA ?? 'on';
  if (!['on', 'off', 'true', 'false'].includes(switchValue)) throw new Error(`MESHGATE_LIVE_DATA must be on or off, got "${switchValue}"`);
  const rateText = flags.rate ?? env.MESHGATE_LIVE_DATA_RATE ?? String(DEFAULT_LIVE_RATE);
  const ratePerSecond = Number(rateText);
  if (!(ratePerSecond > 0 && ratePerSecond <= 1000)) throw new Error(`the live data rate (--live-data-rate or MESHGATE_LIVE_DATA_RATE) must be a number of facts per second in (0, 1000], got "${rateText}"`);
  return { enabled: flags.enabled ?? (switchValue === 'on' || switchValue === 'true'), ratePerSecond };
}

type Log = (line: string) => void;

/** One fact: a new paid order (sometimes credited to a running campaign), a dispatch, a delivery, account activity (some of it anomalous), or a customer's new phone number. */
async function nextFact(dbs: LiveDatabases, options: ScenarioOptions, sequence: number, stats: LiveDataStats) {
  const random = randomFor(options.seed, 'live-fact', sequence);
  const now = Date.now();
  const kind = random.weighted([['order', 30], ['dispatch', 15], ['delivery', 15], ['activity', 36], ['contact', 4]] as const);
  if (kind === 'order') {
    const order = await placeOrder(dbs.sales, options, random, now);
    stats.orders++;
    await capturePayment(dbs.finance, random, order, now);
    stats.payments++;
    stats.transactions++;
    await setOrderStatus(dbs.sales, order.id, 'PAID', now);
    if ((await attributeOrder(dbs.marketing, random, order, now)) !== null) stats.conversions++;
  } else if (kind === 'dispatch') {
    const order = await oldestOrderWithStatus(dbs.sales, 'PAID');
    if (!order) return;
    await dispatchOrder(dbs.logistics, options, random, order, now);
    await setOrderStatus(dbs.sales, order.id, 'SHIPPED', now);
    stats.shipmentChanges++;
  } else if (kind === 'delivery') {
    const orderId = await deliverOldest(dbs.logistics, now);
    if (orderId === null) return;
    await setOrderStatus(dbs.sales, orderId, 'DELIVERED', now);
    stats.shipmentChanges++;
  } else if (kind === 'contact') {
    await updateContact(dbs.customers, options, random, now);
    stats.contactChanges++;
  } else {
    const anomalous = random.chance(ANOMALY_SHARE);
    const booked = await bookActivity(dbs.finance, options, random, anomalous, now);
    stats.transactions++;
    if (booked.flagged) stats.anomalous++;
    stats.flaggedLater += booked.updated;
  }
}

/** Starts the generator (or, disabled, nothing at all); `log` gets its info lines (start, progress every `progressEveryMs`, stop). */
export function startLiveData(dbs: LiveDatabases, options: ScenarioOptions, config: LiveDataConfig, log: Log = () => undefined, progressEveryMs = 30_000): LiveData {
  const stats: LiveDataStats = { facts: 0, orders: 0, payments: 0, transactions: 0, anomalous: 0, flaggedLater: 0, shipmentChanges: 0, conversions: 0, contactChanges: 0, failed: 0 };
  if (!config.enabled) {
    log('live data: off');
    return { stats, stop: async () => undefined };
  }
  const intervalMs = 1000 / config.ratePerSecond;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  // Sequence numbers differ per run, so a restarted mesh does not replay the same facts.
  let sequence = Date.now();
  const summary = () =>
    `+${stats.orders} orders, +${stats.payments} payments, +${stats.transactions} transactions (${stats.anomalous} flagged, ${stats.flaggedLater} flagged later), +${stats.shipmentChanges} shipment changes, +${stats.conversions} conversions, ${stats.contactChanges} contact changes${stats.failed ? `, ${stats.failed} failed` : ''}`;
  const tick = () => {
    if (stopped) return;
    const started = performance.now();
    inFlight = nextFact(dbs, options, sequence++, stats)
      .then(() => void stats.facts++)
      .catch((error) => {
        stats.failed++;
        log(`live data: a fact failed (${(error as Error).message}); the next one still comes`);
      })
      .finally(() => {
        // The next fact waits for this one: never more than one in flight, never faster than the rate.
        if (!stopped) timer = setTimeout(tick, Math.max(0, intervalMs - (performance.now() - started)));
      });
  };
  const progress = setInterval(() => log(`live data: ${summary()}`), progressEveryMs);
  progress.unref();
  log(`live data: on, ${config.ratePerSecond} facts per second (orders with payments and conversions, dispatches, deliveries, account activity with ${ANOMALY_SHARE * 100}% anomalies, contact changes)`);
  timer = setTimeout(tick, 0);
  return {
    stats,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(progress);
      await inFlight;
      log(`live data: stopped after ${summary()}`);
    },
  };
}
