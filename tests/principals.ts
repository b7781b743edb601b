/** The principals the tests and the README's examples use. */
import type { DevelopmentTokenOptions } from '../gateway/src/identity/devTokens';

type TestPrincipal = Omit<DevelopmentTokenOptions, 'sub'> & { sub: string };

const ALL_DOMAINS = ['customers', 'products', 'sales', 'marketing', 'finance', 'logistics'];

/** Platform administrator: every domain, PII and risk scopes. */
export const ADMIN: TestPrincipal = { sub: 'admin', email: 'admin@meshgate.example', roles: ['admin'], scopes: ['pii:read', 'risk:read', 'orders:write'], domains: ALL_DOMAINS };

/** Dashboard builder: reads orders, campaigns, deliveries and transactions; no personal data. */
export const ANALYST: TestPrincipal = { sub: 'alice', email: 'alice@meshgate.example', roles: ['analyst'] };

/** Account manager am03: personal data, but contacts of own customers only (a row-level rule). */
export const ACCOUNT_MANAGER: TestPrincipal = { sub: 'am03', email: 'am03@meshgate.example', roles: ['account-manager'], scopes: ['pii:read'] };

/** A member of the finance domain team. */
export const FINANCE_TEAM: TestPrincipal = { sub: 'fiona', email: 'fiona@meshgate.example', roles: ['domain-team'], domains: ['finance'], scopes: ['pii:read'] };

/** The order-fulfilment service: may move orders through their lifecycle. */
export const ORDER_SERVICE: TestPrincipal = { sub: 'order-service', service: true, roles: ['service'], scopes: ['orders:write'] };
