/**
 * The gateway's `tracing` config section: OpenTelemetry traces over OTLP
 * HTTP, off unless `tracing.endpoint` is set (MESHGATE_TRACING_ENDPOINT).
 * `npm start` hands the same endpoint and ratio to every subgraph it starts
 * (subgraphs/lib/telemetry/env.ts).
 *
 * `propagation` decides whose W3C `traceparent` the gateway continues. Any
 * other client's trace context is never a parent: its request starts a new
 * trace, linked to the client's span, so a client cannot graft its requests
 * into another trace, force sampling, or choose the trace ids subgraphs log.
 */
import { z } from 'zod';

export const TracingConfigSchema = z
  .object({
    /** The OTLP HTTP traces endpoint (http://collector:4318/v1/traces); tracing is off without one. */
    endpoint: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL of an OTLP HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces' }).optional(),
    /** service.name of the gateway's spans. */
    serviceName: z.string().min(1).max(100).default('meshgate-gateway'),
    /** Share of new traces recorded, 0 to 1 (a trusted client's sampling decision is followed). */
    sampleRatio: z.number().min(0, 'expected a ratio from 0 to 1').max(1, 'expected a ratio from 0 to 1').default(1),
    propagation: z
      .object({
        /** Continue the traceparent of principals of kind "service" (API keys, service tokens). */
        trustServicePrincipals: z.boolean().default(true),
        /** Principal ids whose traceparent is continued whatever their kind. */
        trustedPrincipals: z.array(z.string().min(1)).max(1000).default([]),
      })
      .strict()
      .default({ trustServicePrincipals: true, trustedPrincipals: [] }),
  })
  .strict();

export type TracingConfig = z.infer<typeof TracingConfigSchema>;

export const TRACING_ENV_KEYS = {
  MESHGATE_TRACING_ENDPOINT: { path: ['tracing', 'endpoint'], type: 'string' },
  MESHGATE_TRACING_SAMPLE_RATIO: { path: ['tracing', 'sampleRatio'], type: 'number' },
} as const;
