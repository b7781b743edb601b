/**
 * Load for one timed run: autocannon's programmatic API in this process (the
 * gateways run in their own), a fixed number of connections sending without
 * pause, for the warm-up and then the measured window, in one continuous
 * stream; the run stops itself at the end of the counted.
 *
 * Contract: what is reported is what completed inside the window, so requests
 * in flight at its start and at its end balance out (a run of slow requests
 * is not undercounted by the ones cut off at the end); `onWindow` is called
 * at the window's start and resolves to the function called at its end (to
 * measure the gateway over the same time). A response fails when its
 * status is not 2xx or its body carries GraphQL `errors`; a request fails when
 * it gets no response (connection error or timeout). Latency percentiles are
 * exact over the window's responses (autocannon's histogram has no p95).
 */
import autocannon from 'autocannon';
import { requestStream, type Workload } from '../workloads';

export type LoadResult = {
  /** Responses completed inside the measured counted. */
  requests: number;
  /** The measured window's length. */
  elapsedSec: number;
  rps: number;
  latencyMs: { mean: number; p50: number; p95: number; p99: number; max: number };
  failures: { total: number; non2xx: number; graphqlErrors: number; network: number; timeouts: number; first?: string };
  warmup: { requests: number; failures: number };
};

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export async function runLoad(options: {
  url: string;
  headers: Record<string, string>;
  workload: Workload;
  connections: number;
  /** Requests per second over all connections (0: as fast as the gateway answers). */
  rate: number;
  warmupSec: number;
  durationSec: number;
  /** Seeds the request stream; the same seed gives every configuration the same requests. */
  seed: number;
  /** Called when the window opens; what it resolves to is called when the window closes. */
  onWindow?: () => Promise<() => Promise<void>>;
}): Promise<LoadResult> {
  const { workload } = options;
  const next = requestStream(workload, options.seed);
  const nextBody = () => JSON.stringify(next());
  const staticBody = workload.next || workload.samples.length > 1 ? undefined : nextBody();

  // Counters of the current phase: the warm-up's until the window opens, then the window's.
  const fresh = () => ({ latencies: [] as number[], non2xx: 0, graphqlErrors: 0, network: 0, timeouts: 0, first: undefined as string | undefined });
  let phase = fresh();
  let warmup = phase;
  let measured: typeof phase | undefined;
  let inWindow = false;
  let windowStart = 0n;
  let windowEnd = 0n;
  let windowClosed: Promise<void> | undefined;
  const url = new URL(options.url);
  const headers = { 'content-type': 'application/json', ...options.headers };

  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: url.origin,
        connections: options.connections,
        ...(options.rate > 0 ? { overallRate: options.rate } : {}),
        // A backstop: the window's timer below stops the run.
        duration: options.warmupSec + options.durationSec + 60,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: url.pathname,
            headers,
            ...(staticBody !== undefined ? { body: staticBody } : { setupRequest: (request) => ({ ...request, body: nextBody() }) }),
            onResponse(status, body) {
              if (status < 200 || status >= 300) phase.non2xx++;
              else if (body.includes('"errors"')) phase.graphqlErrors++;
              else return;
              phase.first ??= `HTTP ${status}: ${body.slice(0, 300)}`;
            },
          },
        ],
      },
      (error) => (error ? reject(error) : resolve()),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => phase.latencies.push(responseTime));
    instance.on('reqError', (error: Error) => {
      if (/timed out/.test(String(error?.message))) phase.timeouts++;
      else phase.network++;
    });
    setTimeout(() => {
      warmup = phase;
      phase = fresh();
      inWindow = true;
      windowStart = process.hrtime.bigint();
      const opened = options.onWindow?.();
      setTimeout(() => {
        windowEnd = process.hrtime.bigint();
        windowClosed = opened?.then((close) => close());
        // Responses until autocannon has stopped (up to a second) count nowhere.
        measured = phase;
        phase = fresh();
        inWindow = false;
        instance.stop();
      }, options.durationSec * 1000);
    }, options.warmupSec * 1000);
  });
  if (inWindow || !measured) throw new Error('the load run ended before its measured window did');
  await windowClosed;
  const counted = measured;

  const elapsedSec = Number(windowEnd - windowStart) / 1e9;
  const sorted = Float64Array.from(counted.latencies).sort();
  const requests = sorted.length;
  const warmupFailures = warmup.non2xx + warmup.graphqlErrors + warmup.network + warmup.timeouts;
  return {
    requests,
    elapsedSec,
    rps: requests / elapsedSec,
    latencyMs: {
      mean: requests ? sorted.reduce((sum, value) => sum + value, 0) / requests : NaN,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: requests ? sorted[requests - 1] : NaN,
    },
    failures: {
      total: counted.non2xx + counted.graphqlErrors + counted.network + counted.timeouts,
      non2xx: counted.non2xx,
      graphqlErrors: counted.graphqlErrors,
      network: counted.network,
      timeouts: counted.timeouts,
      first: counted.first,
    },
    warmup: { requests: warmup.latencies.length, failures: warmupFailures },
  };
}
