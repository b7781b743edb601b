/** The subscriptions section (issue 15): defaults, and bad values refused at start-up naming the key, what it expects and what it got. */
import { parseConfig } from '../config';

const base = { subgraphs: [{ name: 'finance', url: 'http://127.0.0.1:4005/graphql' }] };

test('defaults: every bound is set', () => {
  expect(parseConfig(base).subscriptions).toEqual({ enabled: true, maxPerPrincipal: 20, maxEventsPerSecond: 200, maxBufferedEvents: 100, batchWindowMs: 5, maxBatchEvents: 200, connectionInitWaitMs: 5000 });
});

test.each([
  [{ maxBufferedEvents: 0 }, 'subscriptions.maxBufferedEvents'],
  [{ maxPerPrincipal: 1.5 }, 'subscriptions.maxPerPrincipal'],
  [{ batchWindowMs: 5000 }, 'subscriptions.batchWindowMs'],
  [{ unbounded: true }, 'unbounded'],
])('%j is refused, naming %s', (subscriptions, key) => {
  expect(() => parseConfig({ ...base, subscriptions })).toThrow(key);
});
