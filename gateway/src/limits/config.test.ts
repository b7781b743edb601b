import { ConfigError } from '../configError';
import { DEFAULT_LIMITS, limitsFor, parseLimitsConfig, resolveLimits } from './config';
import { principalWith } from './testing';

const config = parseLimitsConfig({
  default: { maxDepth: 12 },
  byRole: {
    analyst: { maxDepth: 8, maxCost: 20_000, defaultListSize: 30 },
    service: { maxDepth: 20, maxCost: 200_000, maxBodyBytes: 4_194_304, defaultListSize: 10 },
    viewer: {},
  },
});

function problemsOf(input: unknown): string[] {
  try {
    parseLimitsConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

test('an empty section gives the documented defaults and no role overrides', () => {
  expect(parseLimitsConfig(undefined)).toEqual({ default: DEFAULT_LIMITS, byRole: {} });
  expect(DEFAULT_LIMITS).toEqual({
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
    maxIntrospectionDepth: 20,
    maxIntrospectionListNesting: 2,
    maxIntrospectionAliases: 10,
  });
  expect(parseLimitsConfig({ default: { maxCost: 1000 } }).default).toEqual({ ...DEFAULT_LIMITS, maxCost: 1000 });
});

test('a principal without a listed role gets the default limits', () => {
  expect(limitsFor(config, principalWith([]))).toEqual(DEFAULT_LIMITS);
  expect(limitsFor(config, principalWith(['unknown-role']))).toEqual(DEFAULT_LIMITS);
  expect(limitsFor(config, principalWith(['viewer']))).toEqual(DEFAULT_LIMITS);
});

test("one role's overrides replace the defaults it names, even downwards", () => {
  expect(limitsFor(config, principalWith(['analyst']))).toEqual({ ...DEFAULT_LIMITS, maxDepth: 8, maxCost: 20_000, defaultListSize: 30 });
});

test('several roles: per limit, the most generous of the roles, each being the default plus its overrides (roles grant)', () => {
  const { limits, grantedBy } = resolveLimits(config, principalWith(['analyst', 'service']));
  expect(limits).toEqual({ ...DEFAULT_LIMITS, maxDepth: 20, maxCost: 200_000, maxBodyBytes: 4_194_304, defaultListSize: 10 });
  expect(grantedBy).toMatchObject({ maxDepth: 'service', maxCost: 'service', defaultListSize: 'service', maxAliases: 'analyst' });
  // A smaller assumed list size is the generous one: it lowers the estimate.
  const listSizes = parseLimitsConfig({ byRole: { a: { defaultListSize: 50 }, b: { defaultListSize: 5 } } });
  expect(limitsFor(listSizes, principalWith(['a', 'b'])).defaultListSize).toBe(5);
});

test('among listed roles, adding a role never lowers a limit', () => {
  const restricted = parseLimitsConfig({ byRole: { analyst: { maxAliases: 2 }, service: { maxCost: 200_000 } } });
  expect(limitsFor(restricted, principalWith(['service'])).maxAliases).toBe(30);
  // The analyst's restriction does not cut down a service principal that is also an analyst...
  expect(limitsFor(restricted, principalWith(['service', 'analyst'])).maxAliases).toBe(30);
  // ...a role listed with no overrides stands for the defaults...
  expect(limitsFor(config, principalWith(['viewer', 'analyst'])).maxDepth).toBe(12);
  // ...and roles not listed take no part, so a restricted role stays restricted.
  expect(limitsFor(restricted, principalWith(['employee', 'analyst'])).maxAliases).toBe(2);
});

test('role names that are Object.prototype keys are just unknown roles', () => {
  expect(limitsFor(config, principalWith(['constructor', '__proto__', 'toString']))).toEqual(DEFAULT_LIMITS);
});

describe('misuse gives errors naming the key', () => {
  test('an unknown key, at any level', () => {
    expect(problemsOf({ byRole: { analyst: { maxDeph: 5 } } })).toEqual(['limits.byRole.analyst.maxDeph: unknown key']);
    expect(problemsOf({ default: { maxComplexity: 5 } })).toEqual(['limits.default.maxComplexity: unknown key']);
    expect(problemsOf({ roles: {} })).toEqual(['limits.roles: unknown key']);
  });

  test('a negative, zero, fractional or non-number limit', () => {
    expect(problemsOf({ default: { maxDepth: -1 } })).toEqual([expect.stringMatching(/^limits\.default\.maxDepth: .*>=1/)]);
    expect(problemsOf({ byRole: { analyst: { maxCost: 0 } } })).toEqual([expect.stringMatching(/^limits\.byRole\.analyst\.maxCost: .*>=1/)]);
    expect(problemsOf({ byRole: { analyst: { maxAliases: -3 } } })).toEqual([expect.stringMatching(/^limits\.byRole\.analyst\.maxAliases: .*>=0/)]);
    expect(problemsOf({ default: { maxDepth: 2.5 } })).toEqual([expect.stringMatching(/^limits\.default\.maxDepth: .*int/i)]);
    expect(problemsOf({ default: { maxCost: '1000' } })).toEqual([expect.stringMatching(/^limits\.default\.maxCost: .*number.*string/i)]);
  });

  test('every problem is listed, and the prefix follows where the section sits', () => {
    expect(() => parseLimitsConfig({ default: { maxDepth: -1 }, byRole: { x: { y: 1 } } }, { source: 'meshgate.yaml', keyPrefix: 'gateway.limits' })).toThrow(
      /meshgate\.yaml[\s\S]*gateway\.limits\.default\.maxDepth[\s\S]*gateway\.limits\.byRole\.x\.y: unknown key/,
    );
  });
});
