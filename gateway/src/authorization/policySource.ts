/**
 * Which policies the gateway enforces, and their compiled form for the
 * supergraph currently served. `mesh` is the repository's policies/ folder;
 * `permissive` allows every field (for trying the gateway on an existing
 * graph); anything else is a path to a module that exports the same shape.
 * Authorization directives in the supergraph are enforced in every case.
 */
import { resolve } from 'node:path';
import { allow } from 'graphql-shield';
import type { GraphQLSchema } from 'graphql';
import type { PolicySet } from '../../../policies';
import type { Logger } from '../logger';
import { compilePolicy, type CompiledPolicy, type DescriptorClassification } from './compilePolicy';
import { defineGlobalPolicy } from './policy';
import { readSupergraphFacts } from './supergraphFacts';

const PERMISSIVE: PolicySet = {
  global: defineGlobalPolicy({
    fallbackRule: allow,
    piiRule: allow,
    // Any @policy name in a graph we do not know is allowed too.
    namedPolicies: new Proxy({}, { get: () => allow, has: () => true }),
    rules: {},
  }),
  domains: [],
};

export async function loadPolicySet(policies: string): Promise<PolicySet> {
  if (policies === 'permissive') return PERMISSIVE;
  if (policies === 'mesh') return (await import('../../../policies')).default;
  const module = await import(resolve(policies));
  const set = (module.default ?? module) as PolicySet;
  if (!set?.global || !Array.isArray(set.domains)) {
    throw new Error(`${policies} must export { global, domains } (see policies/index.ts)`);
  }
  return set;
}

/** Holds the policy compiled for the current supergraph; a failed recompile keeps the last good one. */
export class PolicyHolder {
  private compiled?: CompiledPolicy;
  private failure?: Error;

  constructor(private readonly set: PolicySet, private readonly logger: Logger) {}

  /**
   * `inactiveDomains`: subgraphs the data-product lifecycle left out (draft, retired), whose policies have nothing to govern.
   * `descriptors`: the PII classification of each subgraph's descriptor, which guards as @pii does.
   */
  update(apiSchema: GraphQLSchema, supergraphSdl: string, inactiveDomains: string[] = [], descriptors: DescriptorClassification[] = []) {
    try {
      const domains = this.set.domains.filter((domain) => !inactiveDomains.includes(domain.domain));
      const active = descriptors.filter((descriptor) => !inactiveDomains.includes(descriptor.subgraph));
      this.compiled = compilePolicy({ global: this.set.global, domains, schema: apiSchema, facts: readSupergraphFacts(supergraphSdl), descriptors: active });
      this.failure = undefined;
    } catch (error) {
      this.failure = error as Error;
      this.logger.error({ err: error }, this.compiled ? 'policies do not fit the new supergraph; keeping the previous policy (new fields are denied)' : 'policies do not fit the supergraph');
    }
  }

  /** Throws the compile error when no policy could ever be compiled (start-up must fail). */
  current = (): CompiledPolicy => {
    if (!this.compiled) throw this.failure ?? new Error('the authorization policy is not compiled yet');
    return this.compiled;
  };
}
