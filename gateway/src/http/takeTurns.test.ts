import { readFile } from 'node:fs';
import { TurnTaker } from './takeTurns';

/** Continues from an I/O callback (the poll phase), as a request's body does: the phases that follow are then known. */
const afterIo = () => new Promise<void>((resolve) => readFile(__filename, () => resolve()));

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('waiters are released one per turn of the event loop, in order, with timers and I/O served in between', async () => {
  await afterIo();
  const turns = new TurnTaker();
  const events: string[] = [];
  const released = Array.from({ length: 5 }, (_, i) =>
    turns.take().then(() => {
      events.push(`body ${i}`);
      busy(10);
    }),
  );
  // Stands for /health: it arrives while the bodies wait, and must not wait for all of them.
  setTimeout(() => events.push('health'), 0);
  await Promise.all(released);
  expect(events.filter((event) => event.startsWith('body'))).toEqual(['body 0', 'body 1', 'body 2', 'body 3', 'body 4']);
  expect(events.indexOf('health')).toBeLessThanOrEqual(1);
});

test('a bare setImmediate per body would not do: every immediate queued before the check phase runs in it', async () => {
  await afterIo();
  const events: string[] = [];
  const released = Array.from({ length: 5 }, (_, i) =>
    new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      events.push(`body ${i}`);
      busy(10);
    }),
  );
  setTimeout(() => events.push('health'), 0);
  await Promise.all(released);
  await new Promise((resolve) => setTimeout(resolve, 5));
  // The contrast that makes the test above meaningful: here /health would wait for all five.
  expect(events.indexOf('health')).toBe(5);
});
