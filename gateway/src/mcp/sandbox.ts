/**
 * Who is a sandbox principal: someone exploring (an analyst, a product
 * owner), who may run ad-hoc queries under the sandbox limits, as opposed to
 * a production application that runs official operations only. The MCP
 * endpoint offers its validate and ad-hoc execute tools to sandbox principals
 * only, and refuses them (audited) to anyone else.
 *
 * The one place that decides it, from the per-role configuration of official
 * operations (operations.sandboxRoles, operations/config.ts): an
 * authenticated principal holding one of those roles. Principals the
 * operations config merely lets run ad-hoc queries (`otherPrincipals:
 * ad-hoc`) are not sandbox principals here: an assistant gets ad-hoc tools
 * only for a role given them on purpose.
 * Must never: make an anonymous principal a sandbox principal.
 */
import type { Principal } from '../identity/principal';
import type { OperationsConfig } from '../operations/config';

export function isSandboxPrincipal(principal: Principal, operations: Pick<OperationsConfig, 'sandboxRoles'>): boolean {
  if (principal.kind === 'anonymous') return false;
  return principal.roles.some((role) => operations.sandboxRoles.includes(role));
}
