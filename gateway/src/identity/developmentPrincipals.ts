/**
 * The principals the README's examples name, one per role, for trying the
 * mesh as each of them: the query page's role picker mints a development
 * token for each (development mode only), and the tests use the same ones.
 * Never a source of credentials in production: these are claims to sign
 * with the development secret, nothing more.
 */
import type { DevelopmentTokenOptions } from './devTokens';

export type DevelopmentPrincipal = Omit<DevelopmentTokenOptions, 'sub'> & { sub: string };

const ALL_DOMAINS = ['customers', 'products', 'sales', 'marketing', 'finance', 'logistics'];

/** Platform administrator: every domain, PII and risk scopes. */
export const ADMIN: DevelopmentPrincipal = { sub: 'admin', email: 'admin@meshgate.example', roles: ['admin'], scopes: ['pii:read', 'risk:read', 'orders:write'], domains: ALL_DOMAINS };

/** Dashboard builder: reads orders, campaigns, deliveries and transactions; no personal data. */
export const ANALYST: DevelopmentPrincipal = { sub: 'alice', email: 'alice@meshgate.example', roles: ['analyst'] };

/** Account manager am03: personal data, but contacts of own customers only (a row-level rule). */
export const ACCOUNT_MANAGER: DevelopmentPrincipal = { sub: 'am03', email: 'am03@meshgate.example', roles: ['account-manager'], scopes: ['pii:read'] };

/** A member of the finance domain team. */
export const FINANCE_TEAM: DevelopmentPrincipal = { sub: 'fiona', email: 'fiona@meshgate.example', roles: ['domain-team'], domains: ['finance'], scopes: ['pii:read'] };

/** The order-fulfilment service: may move orders through their lifecycle. */
export const ORDER_SERVICE: DevelopmentPrincipal = { sub: 'order-service', service: true, roles: ['service'], scopes: ['orders:write'] };

/** What the role picker offers, in the README's order; anonymous is the picker's "no token". */
export const PICKER_PRINCIPALS: readonly { label: string; principal: DevelopmentPrincipal }[] = [
  { label: 'analyst (alice)', principal: ANALYST },
  { label: 'finance team (fiona)', principal: FINANCE_TEAM },
  { label: 'account manager (am03)', principal: ACCOUNT_MANAGER },
  { label: 'admin', principal: ADMIN },
  { label: 'order service', principal: ORDER_SERVICE },
];
