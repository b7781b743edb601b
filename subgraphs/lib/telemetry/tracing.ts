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
  /** Export timeout per batch. */
  exportTimeoutMs?: number;
};

export type TracingHandle = { stop(): Promise<void> };

let active = false;
let running: { sdk: NodeSDK; users: number; endpoint: string } | undefined;

/** True while an SDK is started in this process: spans are recorded only then. */
export const tracingActive = () => active;

export function startTracing(options: TracingOptions): TracingHandle {
  if (running) {
    // Tests run a gateway and its subgraphs in one process: they share the first SDK (one resource, one exporter).
    running.users++;
  } else {
    // Required here, never at the top: with tracing off the SDK is not loaded at all.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdkNode = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    const { tracing, core } = sdkNode;
    const exporter = new OTLPTraceExporter({ url: options.endpoint, timeoutMillis: options.exportTimeoutMs ?? 10_000 });
    const sdk = new sdkNode.NodeSDK({
      serviceName: options.serviceName,
      spanProcessors: [new tracing.BatchSpanProcessor(exporter, { maxQueueSize: 8192, maxExportBatchSize: 512, scheduledDelayMillis: 1000 })],
      sampler: new tracing.ParentBasedSampler({ root: new tracing.TraceIdRatioBasedSampler(options.sampleRatio) }),
      textMapPropagator: new core.W3CTraceContextPropagator(),
      instrumentations: [],
    });
    sdk.start();
    running = { sdk, users: 1, endpoint: options.endpoint };
    active = true;
  }
  let stopped = false;
  return {
    async stop() {
      if (stopped || !running) return;
      stopped = true;
      if (--running.users > 0) return;
      const { sdk } = running;
      running = undefined;
      active = false;
      // Flushes the spans still buffered, then unregisters the global tracer provider and propagator.
      await sdk.shutdown().catch(() => undefined);
    },
  };
}
