/**
 * @apollo/gateway refuses a supergraph that links a `for: SECURITY` feature it
 * does not enforce itself (authenticated, requiresScopes, policy), which is the
 * right default for a gateway that would silently ignore them. meshgate
 * enforces exactly these in its authorization stage, so it hands
 * @apollo/gateway the supergraph with those links marked as plain features;
 * the directives stay on the fields, where authorization reads them.
 */
import type { SupergraphManager } from '@apollo/gateway';

const ENFORCED_BY_MESHGATE = ['authenticated', 'requiresScopes', 'policy'];

const SECURITY_LINK = new RegExp(
  `(@link\\(\\s*url:\\s*"https://specs\\.apollo\\.dev/(?:${ENFORCED_BY_MESHGATE.join('|')})/v[0-9.]+"[^)]*?),\\s*for:\\s*SECURITY`,
  'g',
);

export function withSecurityEnforcedByMeshgate(supergraphSdl: string): string {
  return supergraphSdl.replace(SECURITY_LINK, '$1');
}

/** The same for a supergraph that changes over time (introspection, polling). */
export function managerWithSecurityEnforcedByMeshgate(manager: SupergraphManager): SupergraphManager {
  return {
    async initialize(options) {
      const result = await manager.initialize({
        ...options,
        update: (sdl) => options.update(withSecurityEnforcedByMeshgate(sdl)),
        healthCheck: (sdl) => options.healthCheck(withSecurityEnforcedByMeshgate(sdl)),
      });
      return { ...result, supergraphSdl: withSecurityEnforcedByMeshgate(result.supergraphSdl) };
    },
  };
}
