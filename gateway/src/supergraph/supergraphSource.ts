/**
 * Where the supergraph comes from: composed at start from the local domains'
 * schemas, read from a supergraph file, or introspected from subgraph URLs.
 * Composition errors stop the start with every error listed.
 */
import { readFileSync } from 'node:fs';
import { IntrospectAndCompose, type SupergraphManager } from '@apollo/gateway';
import { composeOrThrow } from '../../../schema/compose';
import type { GatewayConfig } from '../config';
import { managerWithSecurityEnforcedByMeshgate, withSecurityEnforcedByMeshgate } from './securityFeatures';

export type SupergraphOptions = { supergraphSdl: string | SupergraphManager };

export async function supergraphOptions(config: GatewayConfig): Promise<SupergraphOptions> {
  const { supergraph, subgraphs } = config;
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
      const { domainNamed } = await import('../../../subgraphs');
      return {
        supergraphSdl: withSecurityEnforcedByMeshgate(composeOrThrow(subgraphs.map(({ name, url }) => ({ name, url, typeDefs: domainNamed(name).typeDefs })))),
      };
    }
    case 'introspect':
      return {
        supergraphSdl: managerWithSecurityEnforcedByMeshgate(new IntrospectAndCompose({ subgraphs, pollIntervalInMs: supergraph.pollIntervalMs })),
      };
  }
}
