import { SubgraphConcurrency } from './SubgraphConcurrency';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Answers of 32 KiB and more are heavy: only their fetches are limited. */
const heavy = { text: 'x'.repeat(40_000) };
const light = { text: '{"data":{"order":null}}' };
type Answer = { text: string };

/** A subgraph that serves one request at a time (one Node process, CPU-bound): latency grows with the queue. */
function singleThreadedSubgraph(serviceMs: number) {
  let tail = Promise.resolve();
  let inFlight = 0;
  let mostInFlight = 0;
  return {
    get mostInFlight() {
      return mostInFlight;
    },
    send: () => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      const done = tail.then(() => sleep(serviceMs));
      tail = done;
      return done.then(() => {
        inFlight--;
        return heavy;
      });
    },
  };
}

/** A subgraph with many replicas: latency holds whatever the number in flight. */
function scaledSubgraph(serviceMs: number) {
  return { send: () => sleep(serviceMs).then(() => heavy) };
}

/** `clients` callers, each sending `requests` one after another through the limit. */
async function drive(concurrency: SubgraphConcurrency, send: () => Promise<Answer>, clients: number, requests: number) {
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < requests; i++) await concurrency.run('query Q { q }', 40, send);
    }),
  );
}

test('a fixed limit is never exceeded, and never changes', async () => {
  const concurrency = new SubgraphConcurrency({ mode: 3, max: 64 });
  let inFlight = 0;
  let most = 0;
  await drive(concurrency, async () => {
    most = Math.max(most, ++inFlight);
    await sleep(2);
    inFlight--;
    return light;
  }, 10, 5);
  expect(most).toBe(3);
  expect(concurrency.limit).toBe(3);
});

test('against a subgraph that serves one request at a time, the adaptive limit stays small', async () => {
  const concurrency = new SubgraphConcurrency({ mode: 'adaptive', max: 64 });
  const subgraph = singleThreadedSubgraph(5);
  await drive(concurrency, subgraph.send, 16, 20);
  // Vegas keeps one or two requests queued at the subgraph: the limit ends at 2 or 3 (4 on a busy machine), never the 16 callers.
  expect(concurrency.limit).toBeLessThanOrEqual(4);
  // Before the first probe has measured latency without queueing, it may try a step or two above its start of 4.
  expect(subgraph.mostInFlight).toBeLessThanOrEqual(6);
  expect(concurrency.load).toEqual({ running: 0, waiting: 0 });
});

test('against a subgraph whose latency holds, the adaptive limit grows while it is in use, up to max', async () => {
  const concurrency = new SubgraphConcurrency({ mode: 'adaptive', max: 12 });
  await drive(concurrency, scaledSubgraph(10).send, 32, 40);
  // From its start of 4 it at least doubles; on a loaded machine latency noise slows the last steps (8 seen in a busy full run).
  expect(concurrency.limit).toBeGreaterThanOrEqual(8);
});

test('an idle subgraph does not earn a higher limit', async () => {
  const concurrency = new SubgraphConcurrency({ mode: 'adaptive', max: 64 });
  // One caller never finds the slots taken, so nothing says more would help.
  await drive(concurrency, scaledSubgraph(1).send, 1, 60);
  expect(concurrency.limit).toBe(4);
});

test('a fetch waiting for a slot leaves the queue when its signal aborts', async () => {
  const concurrency = new SubgraphConcurrency({ mode: 1, max: 64 });
  let release!: () => void;
  const first = concurrency.run('q', 40, () => new Promise<Answer>((resolve) => (release = () => resolve(light))));
  const controller = new AbortController();
  let ran = false;
  const waiting = concurrency.run('q', 40, async () => ((ran = true), light), controller.signal);
  expect(concurrency.load).toEqual({ running: 1, waiting: 1 });
  controller.abort(new Error('attempt timed out'));
  await expect(waiting).rejects.toThrow('attempt timed out');
  expect(concurrency.load).toEqual({ running: 1, waiting: 0 });
  release();
  await first;
  expect(ran).toBe(false);
});

test('adaptive, fetches with small answers are never held back: their latency is round trips, not queueing', async () => {
  const concurrency = new SubgraphConcurrency({ mode: 'adaptive', max: 64 });
  let inFlight = 0;
  let most = 0;
  await drive(concurrency, async () => {
    most = Math.max(most, ++inFlight);
    await sleep(2 * inFlight);
    inFlight--;
    return light;
  }, 24, 10);
  // Only the first answers, before the shape is known to be light, wait for one of the 4 slots.
  expect(most).toBeGreaterThan(12);
});

test('a fixed limit above the connection pool is held to the pool', () => {
  expect(new SubgraphConcurrency({ mode: 100, max: 8 }).limit).toBe(8);
});
