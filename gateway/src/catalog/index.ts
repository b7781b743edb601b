/**
 * Data products at the gateway, assembled: the catalog model, the catalog
 * subgraph served in-process (started before composition, so the supergraph can
 * include it), its routes (page, quality runs) and its metrics.
 *
 *   const dataProducts = await startCatalog({ config, logger, policy });
 *   // compose with dataProducts.subgraph.snapshot among the subgraphs, then:
 *   dataProducts.attach(live, metrics);
 */
import type { IncomingMessage } from 'node:http';
import type { CompiledPolicy } from '../authorization/compilePolicy';
import type { GatewayConfig } from '../config';
import type { MeshContext } from '../context';
import type { Route } from '../http/server';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/Metrics';
import type { OfficialOperation } from '../operations/officialOperations';
import type { LiveSupergraph } from '../supergraph/LiveSupergraph';
import { Catalog } from './Catalog';
import { registerCatalogMetrics } from './catalogMetrics';
import { catalogPageRoutes, qualityRunRoute } from './catalogRoutes';
import { CATALOG_SUBGRAPH } from './catalogSchema';
import { startCatalogSubgraph, type CatalogSubgraph } from './catalogSubgraph';
import { StatusCache } from './StatusCache';
import { gatewayVerificationKeys } from '../../../subgraphs/lib/signingKeys';

export type CatalogRuntime = {
  catalog: Catalog;
  subgraph: CatalogSubgraph;
  /** Connects the catalog to the supergraph it describes, and its gauges to /metrics. */
  attach(live: LiveSupergraph, metrics: Metrics): void;
  routes(createContext: (req: IncomingMessage) => Promise<MeshContext>): Route[];
  stop(): Promise<void>;
};

export async function startCatalog(options: { config: GatewayConfig; logger: Logger; policy?: () => CompiledPolicy; officialOperations?: readonly OfficialOperation[] }): Promise<CatalogRuntime> {
  const { config, logger } = options;
  const { signingKey, previousPublicKeys } = config.subgraphRequests;
  const statuses = new StatusCache({ signingKey, timeoutMs: config.catalog.statusTimeoutMs, ttlMs: config.catalog.statusCacheMs });
  let live: LiveSupergraph | undefined;
  const catalog = new Catalog({
    mode: config.mode,
    supergraph: () => {
      if (!live) throw new Error('the catalog is not attached to a supergraph yet');
      return live.current;
    },
    statuses,
    policy: options.policy,
    builtIn: [CATALOG_SUBGRAPH],
    officialOperations: options.officialOperations,
  });
  const subgraph = await startCatalogSubgraph(catalog, { gatewayPublicKeys: gatewayVerificationKeys(signingKey, previousPublicKeys) });
  return {
    catalog,
    subgraph,
    attach(supergraph, metrics) {
      live = supergraph;
      registerCatalogMetrics(metrics, catalog);
    },
    routes: (createContext) => [...catalogPageRoutes(), qualityRunRoute({ catalog, statuses, signingKey, logger, createContext })],
    stop: () => subgraph.stop(),
  };
}
