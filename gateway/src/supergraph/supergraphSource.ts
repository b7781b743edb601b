/**
 * Where the supergraph comes from: composed from the local domains' schemas (and descriptors),
 * read from a supergraph file, or introspected from subgraph URLs. Composed and
 * introspected supergraphs are live (LiveSupergraph.ts): data-product lifecycle
 * applied, built-in subgraphs (the catalog) added, and, with
 * `supergraph.pollIntervalMs`, subgraph changes picked up without a restart.
 * Composition errors stop the start with every error listed.
 */
import { readFileSync } from 'node:fs';
import type { SupergraphManager } from '@apollo/gateway';
import type { GatewayConfig } from '../config';
import type { DataProductDescriptor } from '../../../subgraphs/lib/descriptor';
import type { Logger } from '../logger';
import type { SubgraphSnapshot } from './lifecycle';
import { LiveSupergraph } from './LiveSupergraph';
import { withSecurityEnforcedByMeshgate } from './securityFeatures';

export type SupergraphOptions = { supergraphSdl: string | SupergraphManager };

export type SupergraphSource = SupergraphOptions & {
  /** The live supergraph (compose and introspect); undefined for a supergraph file. */
  live?: LiveSupergraph;
};

export type SupergraphExtras = {
  logger: Logger;
  /** Subgraphs the gateway serves itself (the catalog). */
  builtIn?: SubgraphSnapshot[];
  /** Compose mode: a domain's descriptor instead of its dataproduct.yaml (tests change a product's status this way); undefined falls back to the file. */
  descriptorFor?(subgraph: string): DataProductDescriptor | undefined;
};

export async function supergraphOptions(config: GatewayConfig, extras: SupergraphExtras): Promise<SupergraphSource> {
  const { supergraph, subgraphs } = config;
  const common = {
    mode: config.mode,
    subgraphs,
    builtIn: extras.builtIn,
    pollIntervalMs: supergraph.pollIntervalMs,
    client: { signingKey: config.subgraphRequests.signingKey, timeoutMs: config.subgraphRequests.timeoutMs },
    logger: extras.logger,
  };
  switch (supergraph.source) {
    case 'file': {
      const path = supergraph.file!;
      try {
        return { supergraphSdl: withSecurityEnforcedByMeshgate(readFileSync(path, 'utf8')) };
      } catch (error) {
        throw new Error(`Cannot read the supergraph file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    case 'compose': {
      // Loaded only here, so fronting a supergraph file or introspected subgraphs needs none of our domain code.
      const { domainNamed, domains } = await import('../../../subgraphs');
      const { loadDescriptor } = await import('../../../subgraphs/lib/descriptor');
      for (const { name } of subgraphs) domainNamed(name);
      // Subgraphs registered later need not be local domains.
      const local = (name: string) => domains.find((domain) => domain.name === name);
      const live = new LiveSupergraph({
        ...common,
        localTypeDefs: (name) => local(name)?.typeDefs,
        // With the local schemas at start; later, only when a subgraph's own status cannot be read (what it serves wins).
        localDescriptor: (name) => {
          const given = extras.descriptorFor?.(name);
          if (given) return given;
          const domain = local(name);
          const outcome = domain && loadDescriptor(domain.dir);
          return outcome?.ok ? outcome.descriptor : null;
        },
      });
      return { supergraphSdl: live, live };
    }
    case 'introspect': {
      const live = new LiveSupergraph(common);
      return { supergraphSdl: live, live };
    }
  }
}
