/**
 * Per-product gauges on the gateway's /metrics, read from the subgraphs' status
 * endpoints when Prometheus scrapes (through the catalog's short-lived status
 * cache, so a scrape costs at most one status request per product per TTL):
 *
 *   meshgate_data_product_up{product,domain}                     1 when its subgraph answered its status request
 *   meshgate_data_product_quality_score{product,domain}          0 to 1, at the last quality run
 *   meshgate_data_product_quality_failed_rules{product,domain}   failed rules at the last quality run
 *   meshgate_data_product_freshness_lag_seconds{product,domain}  age of the newest record
 *   meshgate_data_product_sla_breached{product,domain}           1 when the SLA is not met now, 0 when it is
 *
 * A value that is unknown (no quality run yet, subgraph unreachable) is absent
 * rather than a made-up zero.
 */
import type { Gauge } from 'prom-client';
import type { Metrics } from '../metrics/Metrics';
import type { Fetched, FetchedStatus } from '../supergraph/subgraphClient';
import { slaNow, type Catalog, type ProductView } from './Catalog';

type Sample = { product: ProductView; status: Fetched<FetchedStatus> };
type Labels = 'product' | 'domain';

export function registerCatalogMetrics(metrics: Metrics, catalog: Catalog) {
  // The five gauges are collected one after another for one scrape: they share one round of status reads.
  let round: { at: number; samples: Promise<Sample[]> } | undefined;
  const samples = () => {
    if (!round || Date.now() - round.at > 1000) {
      round = { at: Date.now(), samples: Promise.all(catalog.all().map(async (product) => ({ product, status: await catalog.status(product) }))) };
    }
    return round.samples;
  };
  const gauge = (name: string, help: string, value: (sample: Sample) => number | null | undefined) =>
    metrics.gauge<Labels>(name, help, ['product', 'domain'], async function (this: Gauge<Labels>) {
      this.reset();
      for (const sample of await samples()) {
        const measured = value(sample);
        if (measured !== null && measured !== undefined) this.set({ product: sample.product.descriptor.id, domain: sample.product.descriptor.domain }, measured);
      }
    });

  const quality = ({ status }: Sample) => (status.ok ? status.value.quality : null);
  gauge('meshgate_data_product_up', "1 when the data product's subgraph answered its status request, 0 when it did not.", ({ status }) => (status.ok ? 1 : 0));
  gauge('meshgate_data_product_quality_score', 'Share of the data product’s quality rules that passed at the last run, from 0 to 1.', (sample) => quality(sample)?.score);
  gauge('meshgate_data_product_quality_failed_rules', 'Quality rules of the data product that failed at the last run.', (sample) => quality(sample)?.failedRules.length);
  gauge('meshgate_data_product_freshness_lag_seconds', 'Age of the data product’s newest record, in seconds, measured by its subgraph.', ({ status }) => (status.ok ? status.value.freshness.lagSeconds : null));
  gauge('meshgate_data_product_sla_breached', 'Whether the data product’s SLA is breached now (1) or met (0): availability, freshness and error-severity quality rules.', ({ product, status }) => {
    const { met } = slaNow(product, status);
    return met === null ? null : met ? 0 : 1;
  });
}
