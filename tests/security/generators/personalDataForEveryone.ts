/**
 * A deliberately broken policy set for the property test's self-check: the
 * mesh's policies, except that the global PII rule allows everyone. A gateway
 * run with it serves personal data to analysts and services, and the property
 * (which judges by the real policies) must catch it. Never used outside tests.
 */
import { allow } from 'graphql-shield';
import type { PolicySet } from '../../../policies';
import policies from '../../../policies';

const personalDataForEveryone: PolicySet = { ...policies, global: { ...policies.global, piiRule: allow } };

export default personalDataForEveryone;
