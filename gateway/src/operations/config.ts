/**
 * The `operations` config section: where the official operations are, which
 * roles may run only them (production applications and services), which are
 * sandbox roles (analysts, product owners: ad-hoc queries too, under their
 * roles' limits), what principals with neither get, and whether documents
 * may be registered at run time (Apollo's automatic persisted queries).
 *
 *   operations:
 *     dir: operations                   # null: no official operations (the plain gateway)
 *     officialOnlyRoles: [service]      # default: [service] in production, none in development
 *     sandboxRoles: [analyst, domain-team, admin]
 *     otherPrincipals: ad-hoc           # or official-only: every principal without a sandbox role
 *     registration: { enabled: false }  # APQ's open registration; off unless configured
 *
 * Roles grant, as in the limits (limits/config.ts): a principal with a
 * sandbox role may run ad-hoc queries whatever its other roles; without one,
 * an official-only role restricts it; with neither, `otherPrincipals` decides.
 * A role cannot be in both lists (the config is refused, naming it).
 * Registration never makes a document official: registered documents are
 * ad-hoc queries sent by hash, refused like any other for official-only roles.
 */
import { z } from 'zod';
import type { Principal } from '../identity/principal';
import { OFFICIAL_OPERATIONS_DIR } from './officialOperations';

const roles = z.array(z.string().min(1));

export const OperationsConfigSchema = z
  .object({
    /** The official operations' directory (operations/<owner>/*.graphql); null for none. */
    dir: z.string().min(1).nullable().default(OFFICIAL_OPERATIONS_DIR),
    /** Roles that may run official operations only. Default: [service] in production mode, [] in development (resolved in config.ts). */
    officialOnlyRoles: roles.optional(),
    /** Roles that may also run ad-hoc queries (under their roles' limits), whatever their other roles. */
    sandboxRoles: roles.default(['analyst', 'domain-team', 'admin']),
    /** Principals with neither kind of role (anonymous included): ad-hoc queries allowed, or official operations only. */
    otherPrincipals: z.enum(['ad-hoc', 'official-only']).default('ad-hoc'),
    registration: z
      .object({
        /** Apollo's automatic persisted queries: any client may register a document by its hash. Off unless configured. */
        enabled: z.boolean().default(false),
        /** How long a registered document is kept. */
        ttlSeconds: z.number().int().positive().default(300),
      })
      .strict()
      .default({ enabled: false, ttlSeconds: 300 }),
  })
  .strict()
  .superRefine((section, ctx) => {
    section.sandboxRoles.forEach((role, index) => {
      if (section.officialOnlyRoles?.includes(role)) {
        ctx.addIssue({ code: 'custom', path: ['sandboxRoles', index], message: `"${role}" is also in operations.officialOnlyRoles; a role is either sandbox or official-only` });
      }
    });
  });

export type OperationsConfig = Omit<z.infer<typeof OperationsConfigSchema>, 'officialOnlyRoles'> & { officialOnlyRoles: string[] };

/** The mode's default for officialOnlyRoles: production applications and services run official operations only. */
export function withModeDefaults(section: z.infer<typeof OperationsConfigSchema>, mode: 'development' | 'production'): OperationsConfig {
  return { ...section, officialOnlyRoles: section.officialOnlyRoles ?? (mode === 'production' ? ['service'] : []) };
}

export type AdHocDecision = { allowed: true } | { allowed: false; because: string };

/** Whether this principal may run a document that is not an official operation, and if not, why (for its error). */
export function adHocDecision(config: Pick<OperationsConfig, 'officialOnlyRoles' | 'sandboxRoles' | 'otherPrincipals'>, principal: Pick<Principal, 'roles' | 'kind'>): AdHocDecision {
  if (principal.roles.some((role) => config.sandboxRoles.includes(role))) return { allowed: true };
  const restricted = principal.roles.filter((role) => config.officialOnlyRoles.includes(role));
  if (restricted.length) return { allowed: false, because: `your role${restricted.length > 1 ? 's' : ''} (${restricted.join(', ')}) may run official operations only` };
  if (config.otherPrincipals === 'ad-hoc') return { allowed: true };
  const who = principal.kind === 'anonymous' ? 'anonymous requests' : principal.roles.length ? `principals without a sandbox role (yours: ${principal.roles.join(', ')})` : 'principals without a sandbox role';
  return { allowed: false, because: `${who} may run official operations only` };
}
