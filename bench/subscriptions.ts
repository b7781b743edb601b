/**
 * Subscriptions under load (issue 15): N concurrent subscribers over graphql-ws, each subscribed to
 * every new transaction with a cross-domain field (the customer's segment, from customers), while
 * transactions are committed at a stated rate; reports the time from the commit to each delivery
 * (p50, p99), events lost, and the process's RSS and CPU.
 *
 *   node --import tsx bench/subscriptions.ts                            # 1000 subscribers, 2 commits/s, 15 s
 *   node --import tsx bench/subscriptions.ts --subscribers 200 --rate 10 --cache --one-principal
 *
 * One in-process test mesh (tests/harness.ts): the gateway, the six subgraphs, PGlite and the
 * subscribers share this process, so RSS and CPU are the whole mesh's, an upper bound for the gateway's.
 * Time is taken just before each INSERT is sent (its commit follows within it), and when the client
 * receives the event. Subscribers are distinct analysts (`bench-<i>`) unless --one-principal; --cache
 * turns the entity cache on (Customer is PRIVATE: entries are shared per principal, so it pays with
 * --one-principal). Not a test: `npm test` never runs it.
 */
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TEST_SEED } from '../subgraphs/lib/testing';
import { startMesh, tokenFor } from '../tests/harness';
import { ANALYST } from '../tests/principals';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '2' },
    duration: { type: 'string', default: '15' },
    cache: { type: 'boolean', default: false },
    'one-principal': { type: 'boolean', default: false },
  },
});
const subscribers = Number(values.subscribers);
const rate = Number(values.rate);
const durationSec = Number(values.duration);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function main() {
  console.log(`starting the test mesh (scale 0.01, entity cache ${values.cache ? 'on' : 'off'})...`);
  const mesh = await startMesh({
    seed: TEST_SEED,
    gateway: {
      subscriptions: { maxPerPrincipal: subscribers + 10, maxEventsPerSecond: 1000, maxBufferedEvents: 1000 },
      ...(values.cache ? { cache: { entityCache: { enabled: true } } } : {}),
    },
  });
  const clients: Client[] = [];
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  let received = 0;
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    console.log(`connecting ${subscribers} subscribers...`);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < subscribers; i++) {
      const headers = await tokenFor({ ...ANALYST, sub: values['one-principal'] ? ANALYST.sub : `bench-${i}` });
      const client = createClient({ url: mesh.gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { Authorization: headers.authorization }, retryAttempts: 0 });
      clients.push(client);
      ready.push(
        new Promise<void>((resolve, reject) => {
          client.subscribe(
            { query: 'subscription { transactionAdded(filter: { types: [FEE] }) { id amount customer { segment } } }' },
            {
              next: (event) => {
                const id = (event.data as { transactionAdded?: { id: string } } | null)?.transactionAdded?.id;
                const at = id && sentAt.get(id);
                if (at) {
                  latencies.push(performance.now() - at);
                  received++;
                }
              },
              error: reject,
              complete: () => undefined,
            },
          );
          resolve();
        }),
      );
    }
    await Promise.all(ready);
    const until = Date.now() + 60_000;
    while (mesh.gateway.subscriptions!.activeCount < subscribers && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    console.log(`${mesh.gateway.subscriptions!.activeCount} subscriptions active; settling 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const rssBefore = process.memoryUsage().rss;
    const cpuBefore = cpuSeconds();
    const started = performance.now();
    let id = 9_500_000;
    let commits = 0;
    console.log(`committing ${rate} transactions per second for ${durationSec} s...`);
    while (performance.now() - started < durationSec * 1000) {
      const due = started + (commits * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const txId = ++id;
      sentAt.set(String(txId), performance.now());
      await mesh.db.query(`INSERT INTO finance.transactions (id, customer_id, type, amount, currency, occurred_at) VALUES ($1, $2, 'FEE', 1.5, 'EUR', now())`, [txId, 1 + (txId % 50)]);
      commits++;
    }
    const expected = commits * subscribers;
    const drainUntil = Date.now() + 30_000;
    while (received < expected && Date.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 100));
    const wallSec = (performance.now() - started) / 1000;
    const cpu = cpuSeconds() - cpuBefore;
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log('');
    console.log(`subscribers ${subscribers} (${values['one-principal'] ? 'one principal' : 'distinct principals'}), entity cache ${values.cache ? 'on' : 'off'}`);
    console.log(`commits ${commits} at ${rate}/s -> ${expected} deliveries expected, ${received} received (${expected - received} missing)`);
    console.log(`commit -> delivery: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`);
    console.log(`process (whole mesh): CPU ${(cpu / wallSec).toFixed(2)} cores over ${wallSec.toFixed(1)} s; RSS ${(rssBefore / 2 ** 20).toFixed(0)} MB before the load, peak ${(peakRss / 2 ** 20).toFixed(0)} MB`);
  } finally {
    clearInterval(rssTimer);
    await Promise.all(clients.map((client) => client.dispose()));
    await mesh.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
