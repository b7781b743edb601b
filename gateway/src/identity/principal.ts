/**
 * Who is asking. Every request gets exactly one Principal before anything else
 * runs: from a verified JWT, from an API key, or the anonymous principal when no
 * credentials were sent. Bad credentials never fall back to anonymous.
 */
export type Principal = {
  /** Stable id: the JWT subject, the API key's id, or "anonymous". */
  id: string;
  kind: 'user' | 'service' | 'anonymous';
  /** Corporate email for users signed in through single sign-on. */
  email?: string;
  roles: string[];
  scopes: string[];
  /** Data-mesh domains the principal belongs to (a domain team member's own domain). */
  domains: string[];
  authenticatedBy: 'jwt' | 'api-key' | 'none';
};

export const ANONYMOUS: Principal = Object.freeze({
  id: 'anonymous',
  kind: 'anonymous',
  roles: [],
  scopes: [],
  domains: [],
  authenticatedBy: 'none',
}) as Principal;

export const isAuthenticated = (principal: Principal) => principal.kind !== 'anonymous';
