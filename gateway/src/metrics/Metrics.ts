/**
 * The gateway's Prometheus metrics (prom-client). One registry per gateway
 * (several gateways can run in one process, as in tests), served at /metrics.
 * Stages declare their own metrics through `counter`, `gauge` and `histogram`,
 * which return the existing metric when the name is already registered, so a
 * stage adds its metrics without touching this file or the route.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type MetricsOptions = {
  /** Process metrics (CPU, memory, event loop lag) under the `meshgate_` prefix. */
  processMetrics?: boolean;
};

export class Metrics {
  readonly registry = new Registry();

  constructor(options: MetricsOptions = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'meshgate_' });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return (this.registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (this: Gauge<L>) => void): Gauge<L> {
    return (this.registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [this.registry], ...(collect ? { collect } : {}) });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
    return (
      (this.registry.getSingleMetric(name) as Histogram<L> | undefined) ??
      new Histogram({ name, help, labelNames, registers: [this.registry], ...(buckets ? { buckets } : {}) })
    );
  }

  private collect: () => Promise<string> = () => this.registry.metrics();

  /** Where the exposition text comes from instead of this registry alone (a worker: every worker's, from the primary). */
  renderWith(collect: () => Promise<string>) {
    this.collect = collect;
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.collect() };
  }
}
