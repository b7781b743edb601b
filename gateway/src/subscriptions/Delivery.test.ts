/** Delivery (issue 15): bounded, in order, a final message always delivered last, return() reported once. */
import { Delivery } from './Delivery';

const event = (n: number) => ({ data: { n } });

test('refuses events past its capacity, delivers in order, then the final message, then done', async () => {
  const delivery = new Delivery(3, () => undefined);
  expect([1, 2, 3, 4].map((n) => delivery.offer(event(n)))).toEqual([true, true, true, false]);
  expect(delivery.waiting).toBe(3);
  delivery.end({ errors: [] });
  expect(delivery.offer(event(5))).toBe(false);
  const taken = [];
  for await (const result of delivery) taken.push(result);
  expect(taken).toEqual([event(1), event(2), event(3), { errors: [] }]);
});

test('abandon drops what waits and delivers only the final message', async () => {
  const delivery = new Delivery(10, () => undefined);
  delivery.offer(event(1));
  delivery.abandon({ errors: [{ message: 'slow' } as never] });
  expect(await delivery.next()).toEqual({ done: false, value: { errors: [{ message: 'slow' }] } });
  expect(await delivery.next()).toEqual({ done: true, value: undefined });
});

test('a waiting consumer gets the next event at once; return() tells the owner once and ends a pending next', async () => {
  let returned = 0;
  const delivery = new Delivery(1, () => returned++);
  const next = delivery.next();
  expect(delivery.offer(event(1))).toBe(true);
  expect(await next).toEqual({ done: false, value: event(1) });
  const pending = delivery.next();
  await delivery.return();
  await delivery.return();
  expect(await pending).toEqual({ done: true, value: undefined });
  expect(returned).toBe(1);
});
