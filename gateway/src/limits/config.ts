/**
 * Operation limits configuration: one set of default limits, and per-role
 * overrides. Strict zod like the rest of the config (unknown keys are errors,
 * every error names the key path); meant to sit under `limits` in the gateway
 * config.
 *
 *   limits:
 *     default: { maxDepth: 12, maxCost: 50000 }     # omitted keys take the defaults below
 *     byRole:
 *       analyst: { maxDepth: 8, maxCost: 20000 }     # only the keys a role changes
 *       service: { maxCost: 200000, maxBodyBytes: 4194304, maxTokens: 20000 }
 *
 * Resolution (`limitsFor`): each role listed under `byRole` stands for a full
 * set of limits, the default with its overrides; a principal gets, per limit,
 * the most generous value among its listed roles, and the default when none of
 * its roles is listed. Why: roles grant. A principal holds every right each of
 * its roles gives, so a service account that is also an analyst is not cut
 * down to the analyst's limits, and among listed roles, adding one never makes
 * a query that worked fail. (Taking the best override only, and the default
 * only when no role overrides that limit, would break this: an analyst's
 * `maxAliases: 2` would apply to a service principal whose own role leaves
 * maxAliases at the default.) Roles not listed under `byRole` take no part,
 * so a restricted role stays restricted when the principal also carries
 * unrelated roles (say, "employee" from single sign-on). An override may be
 * lower than the default: that is how a role is restricted.
 */
import { z } from 'zod';
import { ConfigError } from '../configError';
import type { Principal } from '../identity/principal';

const LimitFields = z
  .object({
    /** Deepest field nesting: `{ a { b } }` has depth 2. Fragments are expanded; `__typename` does not count. */
    maxDepth: z.number().int().min(1),
    /** Aliased fields in the operation, fragments expanded where they are spread. */
    maxAliases: z.number().int().min(0),
    /** Distinct top-level fields (response keys) of the operation. */
    maxRootFields: z.number().int().min(1),
    /** Largest estimated cost: 1 per object or list field, times the sizes of the lists around it (see CostRule). */
    maxCost: z.number().int().min(1),
    /** Assumed size of a list field without a `first`/`last`/`limit` argument (or one given as null). */
    defaultListSize: z.number().int().min(0),
    /** Cost of one scalar or enum field; 0 counts only objects and lists. */
    scalarCost: z.number().min(0).max(10),
    /** Largest request body in bytes, for the HTTP layer (`maxBodyBytesFor`). */
    maxBodyBytes: z.number().int().min(1),
    /**
     * Most lexical tokens in the document (names, punctuation, values). Parsing stops at the most generous
     * role's value (`parseTimeMaxTokens`), so no body is ever parsed further than that.
     */
    maxTokens: z.number().int().min(1),
    /** Directives in the operation, fragments expanded where they are spread (`@include`, `@skip` included). */
    maxDirectives: z.number().int().min(0),
    /**
     * Fields of the operations after fragment expansion: every field once for each place it ends up, so a fragment
     * spread twice counts twice. Every operation of the document counts, since every one is validated.
     */
    maxExpandedFields: z.number().int().min(1),
    /**
     * Introspection (`__schema`, `__type` and what they select) is not measured by the data limits above (depth,
     * aliases, cost) but by these (see rules/IntrospectionRule.ts). `__schema`/`__type` fields in the operation,
     * each occurrence counted (GraphiQL sends one).
     */
    maxIntrospectionFields: z.number().int().min(0),
    /** Deepest nesting under `__schema`/`__type`, counting it as 1 (graphql-js's standard introspection query: 15). */
    maxIntrospectionDepth: z.number().int().min(1),
    /** Lists of types or fields (`types`, `fields`, `inputFields`, `interfaces`, `possibleTypes`) nested on one path (the standard query: 2). */
    maxIntrospectionListNesting: z.number().int().min(1),
    /** Aliased fields under `__schema`/`__type` (the standard query: none). */
    maxIntrospectionAliases: z.number().int().min(0),
  })
  .partial()
  .strict();

export type Limits = Required<z.infer<typeof LimitFields>>;
export type LimitName = keyof Limits;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 10,
  maxCost: 50_000,
  defaultListSize: 20,
  scalarCost: 0,
  maxBodyBytes: 1_048_576,
  maxTokens: 10_000,
  maxDirectives: 50,
  maxExpandedFields: 2_000,
  maxIntrospectionFields: 3,
  // The standard query's 15, and room for clients that unwrap a few more list or non-null levels.
  maxIntrospectionDepth: 20,
  maxIntrospectionListNesting: 2,
  maxIntrospectionAliases: 10,
});

/**
 * Which way is more generous for each limit: a higher maximum lets more
 * through; a lower assumed list size or scalar cost lowers the estimate.
 */
const MORE_GENEROUS: Record<LimitName, 'higher' | 'lower'> = {
  maxDepth: 'higher',
  maxAliases: 'higher',
  maxRootFields: 'higher',
  maxCost: 'higher',
  defaultListSize: 'lower',
  scalarCost: 'lower',
  maxBodyBytes: 'higher',
  maxTokens: 'higher',
  maxDirectives: 'higher',
  maxExpandedFields: 'higher',
  maxIntrospectionFields: 'higher',
  maxIntrospectionDepth: 'higher',
  maxIntrospectionListNesting: 'higher',
  maxIntrospectionAliases: 'higher',
};

function withoutUndefined<T extends object>(given: T): Partial<T> {
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export const LimitsConfigSchema = z
  .object({
    /** Limits for every principal, unless one of its roles overrides them. */
    default: LimitFields.optional().transform((given): Limits => ({ ...DEFAULT_LIMITS, ...withoutUndefined(given ?? {}) })),
    /** Overrides per role name (the principal's `roles`); only the keys a role changes. */
    byRole: z.record(z.string().min(1), LimitFields).default({}),
  })
  .strict();

export type LimitsConfig = z.infer<typeof LimitsConfigSchema>;
export type LimitsConfigInput = z.input<typeof LimitsConfigSchema>;

function describeIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `${issue.keys.map((key) => `${path}.${key}`).join(', ')}: unknown key${issue.keys.length > 1 ? 's' : ''}`;
  }
  return `${path}: ${issue.message}`;
}

/**
 * Validates a `limits` section on its own; problems name the key path under
 * `keyPrefix` ("limits.byRole.analyst.maxDepth: ...") as the gateway config does.
 */
export function parseLimitsConfig(input: unknown, { source = 'config', keyPrefix = 'limits' } = {}): LimitsConfig {
  const result = LimitsConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(source, result.error.issues.map((issue) => describeIssue(issue, keyPrefix)));
  return result.data;
}

export type ResolvedLimits = {
  limits: Limits;
  /** For each limit, the listed role that gave the value (its override or the default), or undefined when the principal has no listed role. */
  grantedBy: Record<LimitName, string | undefined>;
};

/** The principal's limits with, for each, the role it comes from (for error messages). */
export function resolveLimits(config: LimitsConfig, principal: Pick<Principal, 'roles'>): ResolvedLimits {
  // Own keys only: a role named "constructor" must not read Object.prototype.
  const listed = principal.roles.filter((role) => Object.hasOwn(config.byRole, role));
  const limits: Limits = { ...config.default };
  const grantedBy = {} as Record<LimitName, string | undefined>;
  for (const name of Object.keys(MORE_GENEROUS) as LimitName[]) {
    let best: { value: number; role: string } | undefined;
    for (const role of listed) {
      const value = config.byRole[role][name] ?? config.default[name];
      const better = !best || (MORE_GENEROUS[name] === 'higher' ? value > best.value : value < best.value);
      if (better) best = { value, role };
    }
    if (best) limits[name] = best.value;
    grantedBy[name] = best?.role;
  }
  return { limits, grantedBy };
}

/**
 * The token limit for the parser: the most generous of the default and every role, since parsing happens before
 * the principal's own limit can be applied to the document (then `maxTokens` of its role is).
 */
export function parseTimeMaxTokens(config: LimitsConfig): number {
  return Math.max(config.default.maxTokens, ...Object.values(config.byRole).map((overrides) => overrides.maxTokens ?? config.default.maxTokens));
}

/** The principal's limits: per limit, the most generous among its listed roles (each: its overrides, else the default); the default without one. */
export function limitsFor(config: LimitsConfig, principal: Pick<Principal, 'roles'>): Limits {
  return resolveLimits(config, principal).limits;
}

/**
 * The plain gateway (`npm run gateway -- --supergraph F`) fronts a graph meshgate knows nothing about: no roles of
 * ours, no sizes on its lists. There a list without a size argument is assumed to hold 10 items, not 20, so a
 * typical query nesting four such lists (the public gateways benchmark's users > reviews > product > reviews >
 * author > reviews: 179,027 at 20) is estimated at 12,817 and served, while six nested lists (10^6) are still
 * refused. What the given config says wins, key by key.
 */
export const PLAIN_GATEWAY_DEFAULT_LIMITS = { defaultListSize: 10 } as const satisfies Partial<Limits>;

export function withPlainGatewayDefaults(given: unknown): unknown {
  const section = given && typeof given === 'object' ? (given as { default?: unknown }) : {};
  const defaults = section.default && typeof section.default === 'object' ? section.default : {};
  return { ...section, default: { ...PLAIN_GATEWAY_DEFAULT_LIMITS, ...defaults } };
}
