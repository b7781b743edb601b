/**
 * OpenTelemetry tracing for every meshgate process, the gateway and the
 * subgraphs alike: the official Node SDK (`@opentelemetry/sdk-node`) with a
 * batching OTLP HTTP exporter (JSON), W3C trace context as the only
 * propagator, and a parent-based sampler over `sampleRatio`.
 *
 * Guarantees:
 * - Off unless started with an endpoint. While off, the SDK is never loaded
 *   (it is required here, inside startTracing, never imported at the top of a
 *   module), and `tracingActive()` is false, which every span helper
 *   (spans.ts) checks first: tracing that is off costs one boolean test per
 *   stage.
 * - One SDK per process, however many gateways or subgraphs a process runs
 *   (tests run a whole mesh in one): later starts share it, and it is shut
 *   down, flushing what is buffered, when the last one stops.
 *
 * Must never:
 * - load auto-instrumentations. They patch http, undici, pg and graphql and
 *   make spans per call and per resolved field; meshgate knows its own stages
 *   (request, authorization, planning, execution, each subgraph fetch, each
 *   root-field batch, each SQL statement) and spans exactly those by hand,
 *   which keeps the overhead small and the trees readable;
 * - propagate W3C baggage: it is data a client chose, and would travel to
 *   every subgraph unchecked;
 * - export anywhere that was not configured.
 */
import type { NodeSDK } from '@opentelemetry/sdk-node';

export type TracingOptions = {
  /** The OTLP HTTP traces endpoint, e.g. http://collector:4318/v1/traces. */
  endpoint: string;
  /** The resource's service.name (meshgate-gateway, meshgate-<domain>). */
  serviceName: string;
  /** Share of new traces recorded, 0 to 1; a sampled parent is always followed. */
  sampleRatio: number;
  /** Export timeout per batch, retries included (5 s by default). */
  exportTimeoutMs?: number;
};

/** Where the SDK's own problems go (a failed export, a full queue): the process's pino logger. */
export type TracingProblemLog = { warn(details: Record<string, unknown>, message: string): void };

/** At most one line per minute about the SDK's problems, with how many were not written: a collector that is down must not flood the logs. */
function throttledProblems(log: TracingProblemLog) {
  let last = 0;
  let suppressed = 0;
  return (message: string) => {
    const now = Date.now();
    if (now - last < 60_000) return void suppressed++;
    log.warn({ suppressed, component: 'tracing' }, `OpenTelemetry: ${message}`);
    last = now;
    suppressed = 0;
  };
}

export type TracingHandle = { stop(): Promise<void> };

let active = false;
let running: { sdk: NodeSDK; users: number; endpoint: string; problems?: TracingProblemLog } | undefined;

/** How long stopping waits for the last export: a collector that is down must not hold a shutdown. */
const SHUTDOWN_WAIT_MS = 5000;

/** True while an SDK is started in this process: spans are recorded only then. */
export const tracingActive = () => active;

export function startTracing(options: TracingOptions, problems?: TracingProblemLog): TracingHandle {
  if (running) {
    // Tests run a gateway and its subgraphs in one process: they share the first SDK (one resource, one exporter).
    running.users++;
  } else {
    // Required here, never at the top: with tracing off the SDK is not loaded at all.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdkNode = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    const { tracing, core, api } = sdkNode;
    if (problems) {
      // Export failures reach the SDK's diagnostic logger (globalErrorHandler logs through it); nothing else is read from it.
      const report = throttledProblems(problems);
      // The SDK's error handler hands over exceptions serialized as JSON; their message is what an operator reads.
      const readable = (text: string) => {
        try {
          const parsed = JSON.parse(text) as { message?: unknown };
          return typeof parsed?.message === 'string' ? parsed.message : text;
        } catch {
          return text;
        }
      };
      const write = (message: string, ...args: unknown[]) => report([readable(message), ...args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : JSON.stringify(arg)))].join(' '));
      api.diag.setLogger({ error: write, warn: write, info: () => undefined, debug: () => undefined, verbose: () => undefined }, api.DiagLogLevel.WARN);
    }
    const exporter = new OTLPTraceExporter({ url: options.endpoint, timeoutMillis: options.exportTimeoutMs ?? 5000 });
    const sdk = new sdkNode.NodeSDK({
      serviceName: options.serviceName,
      spanProcessors: [new tracing.BatchSpanProcessor(exporter, { maxQueueSize: 8192, maxExportBatchSize: 512, scheduledDelayMillis: 1000 })],
      sampler: new tracing.ParentBasedSampler({ root: new tracing.TraceIdRatioBasedSampler(options.sampleRatio) }),
      textMapPropagator: new core.W3CTraceContextPropagator(),
      instrumentations: [],
    });
    sdk.start();
    running = { sdk, users: 1, endpoint: options.endpoint, problems };
    active = true;
  }
  let stopped = false;
  return {
    async stop() {
      if (stopped || !running) return;
      stopped = true;
      if (--running.users > 0) return;
      const { sdk, problems: log } = running;
      running = undefined;
      active = false;
      // Flushes the spans still buffered (waiting at most SHUTDOWN_WAIT_MS), then unregisters the global tracer provider and propagator.
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), SHUTDOWN_WAIT_MS).unref()));
      const outcome = await Promise.race([sdk.shutdown().then(() => 'flushed' as const, (error: Error) => error), waited]);
      clearTimeout(timer);
      if (outcome === 'timeout') log?.warn({ component: 'tracing', waitedMs: SHUTDOWN_WAIT_MS }, 'OpenTelemetry: the last spans could not be exported in time; stopping without them');
      else if (outcome instanceof Error) log?.warn({ component: 'tracing' }, `OpenTelemetry: the last spans could not be exported: ${outcome.message}`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('@opentelemetry/api') as typeof import('@opentelemetry/api')).diag.disable();
    },
  };
}
