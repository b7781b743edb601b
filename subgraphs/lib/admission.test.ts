import { parse } from 'graphql';
import { AdmissionGate, OverloadedError } from './admission';
import type { Db } from './db';
import { startSubgraphServer } from './server';
import type { SubgraphDefinition } from './subgraph';

/** A promise and the function that settles it, to hold operations open for as long as a test needs. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('at most `limit` operations run at once, and the waiting ones start in arrival order', async () => {
  const admission = new AdmissionGate({ limit: 2 });
  const started: number[] = [];
  const holds = [gate(), gate(), gate(), gate()];
  const runs = holds.map((hold, i) =>
    admission.run(async () => {
      started.push(i);
      await hold.opened;
      return i;
    }),
  );
  await tick();
  expect(started).toEqual([0, 1]);
  expect(admission.load).toEqual({ running: 2, waiting: 2 });
  holds[1].open();
  await tick();
  expect(started).toEqual([0, 1, 2]);
  holds[0].open();
  holds[2].open();
  holds[3].open();
  expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
  expect(admission.load).toEqual({ running: 0, waiting: 0 });
});

test('an operation that throws releases its slot', async () => {
  const admission = new AdmissionGate({ limit: 1 });
  await expect(admission.run(async () => Promise.reject(new Error('resolver failed')))).rejects.toThrow('resolver failed');
  await expect(admission.run(async () => 'next')).resolves.toBe('next');
  expect(admission.load).toEqual({ running: 0, waiting: 0 });
});

test('a request beyond maxWaiting is refused at once, without running', async () => {
  const admission = new AdmissionGate({ limit: 1, maxWaiting: 1 });
  const hold = gate();
  const first = admission.run(() => hold.opened);
  const second = admission.run(async () => 'second');
  let ran = false;
  const third = admission.run(async () => (ran = true));
  await expect(third).rejects.toBeInstanceOf(OverloadedError);
  await expect(third).rejects.toMatchObject({ status: 503, code: 'SUBGRAPH_OVERLOADED', headers: { 'retry-after': '1' } });
  hold.open();
  await first;
  await expect(second).resolves.toBe('second');
  expect(ran).toBe(false);
});

test('a request that waits longer than maxWaitMs is refused, and the queue forgets it', async () => {
  const admission = new AdmissionGate({ limit: 1, maxWaitMs: 20 });
  const hold = gate();
  const first = admission.run(() => hold.opened);
  let ran = false;
  await expect(admission.run(async () => (ran = true))).rejects.toThrow('no operation slot freed within 20 ms');
  expect(admission.load).toEqual({ running: 1, waiting: 0 });
  hold.open();
  await first;
  expect(ran).toBe(false);
  expect(admission.load).toEqual({ running: 0, waiting: 0 });
});

test('a limit that is not a positive integer is refused with what was expected and given', () => {
  expect(() => new AdmissionGate({ limit: 0 })).toThrow('admission limit: expected an integer of at least 1, got 0');
  expect(() => new AdmissionGate({ limit: 1.5 })).toThrow('got 1.5');
});

describe('a subgraph server', () => {
  const holds: ReturnType<typeof gate>[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const definition: SubgraphDefinition<object> = {
    name: 'slow',
    dir: __dirname,
    typeDefs: parse('type Query { slow: Int }'),
    resolvers: {
      Query: {
        slow: async () => {
          mostAtOnce = Math.max(mostAtOnce, ++running);
          const hold = gate();
          holds.push(hold);
          await hold.opened;
          running--;
          return 1;
        },
      },
    },
    createLoaders: () => ({}),
    seed: async () => undefined,
  };

  test('executes at most its limit of operations at once and answers 503 with Retry-After when its queue is full', async () => {
    // The resolver never touches the database; /health asks it `SELECT 1`, which answers at once.
    const db = { query: async () => [{ '?column?': 1 }] } as unknown as Db;
    const server = await startSubgraphServer(definition, db, { dataProduct: false, admission: { limit: 1, maxWaiting: 1 } });
    try {
      const ask = () => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ slow }"}' });
      const first = ask();
      while (holds.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      const second = ask();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const third = await ask();
      expect(third.status).toBe(503);
      expect(third.headers.get('retry-after')).toBe('1');
      expect(((await third.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('SUBGRAPH_OVERLOADED');
      holds[0].open();
      while (holds.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      holds[1].open();
      expect(await (await first).json()).toEqual({ data: { slow: 1 } });
      expect(await (await second).json()).toEqual({ data: { slow: 1 } });
      expect(mostAtOnce).toBe(1);
      // /health is never queued behind operations.
      holds.length = 0;
      const busy = ask();
      while (holds.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      const health = await fetch(server.url.replace('/graphql', '/health'));
      expect(health.status).toBe(200);
      holds[0].open();
      await busy;
    } finally {
      await server.stop();
    }
  });
});
