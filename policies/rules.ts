/**
 * The rule vocabulary policies are written in: graphql-shield rules over the
 * request's principal (`context.principal`). Each returns true, or a string
 * that says what is missing (shown to the client as the denial's reason).
 * Factories are memoized so one rule name always means one rule.
 */
import { rule } from 'graphql-shield';
import type { MeshContext } from '../gateway/src/context';
import type { ShieldRule } from '../gateway/src/authorization/ruleTree';

export type { ShieldRule };

function memoized<T extends string[]>(make: (...args: T) => ShieldRule) {
  const made = new Map<string, ShieldRule>();
  return (...args: T) => {
    const key = JSON.stringify(args);
    if (!made.has(key)) made.set(key, make(...args));
    return made.get(key)!;
  };
}

export const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })(
  (_parent, _args, { principal }: MeshContext) => principal.kind !== 'anonymous' || 'authentication required',
);

export const isService = rule('isService', { cache: 'contextual' })(
  (_parent, _args, { principal }: MeshContext) => principal.kind === 'service' || 'only service identities may do this',
);

export const hasScope = memoized((scope: string) =>
  rule(`hasScope(${scope})`, { cache: 'contextual' })(
    (_parent, _args, { principal }: MeshContext) => principal.scopes.includes(scope) || `requires scope ${scope}`,
  ),
);

export const hasRole = memoized((...roles: string[]) =>
  rule(`hasRole(${roles.join('|')})`, { cache: 'contextual' })(
    (_parent, _args, { principal }: MeshContext) => roles.some((role) => principal.roles.includes(role)) || `requires role ${roles.join(' or ')}`,
  ),
);

/** Members of a domain's team: the principal lists the domain among its domains. */
export const inDomain = memoized((domain: string) =>
  rule(`inDomain(${domain})`, { cache: 'contextual' })(
    (_parent, _args, { principal }: MeshContext) => principal.domains.includes(domain) || `requires membership of the ${domain} domain`,
  ),
);

/** Users whose corporate email is in the given domain (for example employees of the company). */
export const hasEmailDomain = memoized((emailDomain: string) =>
  rule(`hasEmailDomain(${emailDomain})`, { cache: 'contextual' })(
    (_parent, _args, { principal }: MeshContext) => Boolean(principal.email?.toLowerCase().endsWith(`@${emailDomain}`)) || `requires an @${emailDomain} identity`,
  ),
);
