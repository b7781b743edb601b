/**
 * The span helpers meshgate's stages use, on @opentelemetry/api alone (the
 * SDK lives in tracing.ts). Each helper tests `tracingActive()` first and,
 * while tracing is off, runs the work as it is: no span, no context switch,
 * no attribute object built by the caller (attributes are passed as a
 * function, called only when a span is made).
 *
 * A span records the exception and ERROR status when the work throws, and
 * always ends. Helpers never swallow or change what the work returns or throws.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { tracingActive } from './tracing';

export { SpanKind, tracingActive };
export type { Attributes, Span };

const tracer = () => trace.getTracer('meshgate');

type SpanOptions = { kind?: SpanKind; parent?: Context; attributes?: () => Attributes };

function failed(span: Span, error: unknown) {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
}

/** Runs `work` in a child span of the active one (or of `parent`); `work` sees the span (undefined while tracing is off). */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span?: Span) => Promise<T>): Promise<T> {
  if (!tracingActive()) return work(undefined);
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes?.() }, options.parent ?? context.active());
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () => work(span));
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** inSpan for synchronous work (planning). */
export function inSpanSync<T>(name: string, options: SpanOptions, work: (span?: Span) => T): T {
  if (!tracingActive()) return work(undefined);
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes?.() }, options.parent ?? context.active());
  try {
    return context.with(trace.setSpan(options.parent ?? context.active(), span), () => work(span));
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** A span started now (or at `startTime`, epoch ms) and ended by the caller; undefined while tracing is off. */
export function startSpan(name: string, options: SpanOptions & { startTime?: number; links?: { context: ReturnType<Span['spanContext']>; attributes?: Attributes }[] }): Span | undefined {
  if (!tracingActive()) return undefined;
  return tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes?.(), startTime: options.startTime, links: options.links },
    options.parent ?? context.active(),
  );
}

/** A child of `parent` for a stage already over (identification, timed before its parent could start), from `startTime` to `endTime` (epoch ms). */
export function recordChildSpan(parent: Span | undefined, name: string, startTime: number, endTime: number, attributes?: Attributes) {
  if (!parent) return;
  tracer().startSpan(name, { attributes, startTime }, trace.setSpan(context.active(), parent)).end(endTime);
}

/** Runs `work` with `span` as the active span (children made inside are its children). */
export function withActiveSpan<T>(span: Span | undefined, work: () => T): T {
  return span ? context.with(trace.setSpan(context.active(), span), work) : work();
}

/** The span active now, if tracing is on and one is. */
export const activeSpan = (): Span | undefined => (tracingActive() ? trace.getActiveSpan() : undefined);

/** Marks a span failed without throwing (an HTTP 5xx answered, a subgraph error returned as data). */
export const markFailed = (span: Span | undefined, message: string) => span?.setStatus({ code: SpanStatusCode.ERROR, message });

/** The remote span context a W3C `traceparent` in these headers names (extracted on the root context, never the active one). */
export function remoteParentOf(headers: Record<string, string | string[] | undefined>): { context: Context; spanContext?: ReturnType<Span['spanContext']> } {
  const extracted = propagation.extract(ROOT_CONTEXT, headers);
  const spanContext = trace.getSpanContext(extracted);
  return { context: extracted, spanContext: spanContext && trace.isSpanContextValid(spanContext) ? spanContext : undefined };
}

/** Writes the active span's W3C `traceparent` (and `tracestate`) into outgoing headers; nothing while tracing is off. */
export function injectTraceContext(headers: Record<string, string>) {
  if (tracingActive()) propagation.inject(context.active(), headers);
}

/** The trace and span ids of the active span, for log lines; undefined while tracing is off. */
export function traceIdsOf(span: Span | undefined): { traceId: string; spanId: string } | undefined {
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

export const ROOT = ROOT_CONTEXT;
