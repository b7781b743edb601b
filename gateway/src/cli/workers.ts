/**
 * `server.workers` > 1: the gateway as several processes sharing one port
 * (node:cluster), because one Node.js process uses one core. The primary
 * process only supervises: it forks the workers, reports ready once every
 * worker listens, restarts a worker that dies, aggregates their metrics for
 * /metrics (whichever worker answers), and on SIGTERM or SIGINT stops them
 * (each drains its connections) before it exits.
 *
 * Each worker is a whole gateway: its own in-process cache, learned front
 * door and query-plan cache; give the workers Redis (`REDIS_URL`) to share
 * cached answers. They append to the same audit file, one write per batch.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Metrics } from '../metrics/Metrics';

const READY = 'meshgate:worker-ready';
const METRICS_REQUEST = 'meshgate:metrics-request';
const METRICS_REPLY = 'meshgate:metrics-reply';
const RESTART_DELAY_MS = 1000;
const STOP_TIMEOUT_MS = 30_000;

type Message = { type?: string; url?: string; id?: number; body?: string; error?: string };

export const isWorker = () => cluster.isWorker;

/** In the primary: forks `count` workers and resolves with their URL once all listen; rejects if one exits before. */
export function runWorkers(count: number, log: (line: string) => void, options: { stopTimeoutMs?: number } = {}): Promise<string> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let ready = 0;
  let url = '';

  cluster.on('message', (worker: Worker, message: Message) => {
    if (message?.type !== METRICS_REQUEST) return;
    const reply = (answer: Message) => worker.isConnected() && worker.send({ type: METRICS_REPLY, id: message.id, ...answer });
    aggregator.clusterMetrics().then(
      (body) => reply({ body }),
      (error: Error) => reply({ error: error.message }),
    );
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, options.stopTimeoutMs ?? STOP_TIMEOUT_MS).unref();
    const remaining = new Set(Object.values(cluster.workers ?? {}));
    if (remaining.size === 0) process.exit(0);
    cluster.on('exit', (worker) => {
      remaining.delete(worker);
      if (remaining.size === 0) process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  return new Promise((resolve, reject) => {
    const fork = () => {
      const worker = cluster.fork();
      let listening = false;
      worker.on('message', (message: Message) => {
        if (message?.type !== READY || listening) return;
        listening = true;
        url = message.url ?? url;
        if (++ready === count) resolve(url);
      });
      worker.once('exit', (code, signal) => {
        if (stopping) return;
        if (!listening) {
          // A worker that cannot start (bad config, port taken) would fail again: stop everything.
          stopping = true;
          for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
          reject(new Error(`a gateway worker exited (${signal ?? `code ${code}`}) before it was listening`));
          return;
        }
        log(`gateway worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another in ${RESTART_DELAY_MS} ms`);
        setTimeout(() => !stopping && fork(), RESTART_DELAY_MS);
      });
    };
    for (let i = 0; i < count; i++) fork();
  });
}

/** In a worker: tells the primary it listens, and makes /metrics answer with every worker's metrics. */
export function joinWorkers(url: string, metrics: Metrics) {
  // Registers the worker side of prom-client's aggregation (answers the primary's requests) for this registry.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
  const pending = new Map<number, (message: Message) => void>();
  let nextId = 0;
  process.on('message', (message: Message) => {
    if (message?.type === METRICS_REPLY && message.id !== undefined) pending.get(message.id)?.(message);
  });
  metrics.renderWith(
    () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => settle({ error: 'the primary process did not answer within 10 s' }), 10_000);
        const settle = (message: Message) => {
          clearTimeout(timer);
          pending.delete(id);
          if (message.error !== undefined) reject(new Error(`worker metrics: ${message.error}`));
          else resolve(message.body ?? '');
        };
        pending.set(id, settle);
        process.send!({ type: METRICS_REQUEST, id });
      }),
  );
  process.send!({ type: READY, url });
}
