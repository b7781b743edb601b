import { Inflight } from './MeshCache';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

test('callers of a key in flight wait for the first and get the shared form, computed once', async () => {
  const inflight = new Inflight();
  const gate = deferred<{ n: number }>();
  let runs = 0;
  let shares = 0;
  const call = () => inflight.run('k', () => (runs++, gate.promise), (value) => (shares++, JSON.stringify(value)));
  const calls = [call(), call(), call()];
  gate.resolve({ n: 1 });
  const [leader, ...followers] = await Promise.all(calls);
  expect(leader).toEqual({ leader: true, value: { n: 1 } });
  expect(followers).toEqual([{ leader: false, shared: '{"n":1}' }, { leader: false, shared: '{"n":1}' }]);
  expect([runs, shares, inflight.size]).toEqual([1, 1, 0]);
  // Once settled, the next caller runs anew.
  expect(await inflight.run('k', async () => ({ n: 2 }), String)).toEqual({ leader: true, value: { n: 2 } });
});

test('a failure reaches every caller, and nothing is shared when no one waited', async () => {
  const inflight = new Inflight();
  const gate = deferred<number>();
  const share = jest.fn(String);
  const calls = [inflight.run('k', () => gate.promise, share), inflight.run('k', () => gate.promise, share)];
  gate.reject(new Error('subgraph down'));
  await expect(calls[0]).rejects.toThrow('subgraph down');
  await expect(calls[1]).rejects.toThrow('subgraph down');
  await inflight.run('alone', async () => 1, share);
  expect(share).not.toHaveBeenCalled();
});
