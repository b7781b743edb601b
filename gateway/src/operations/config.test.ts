import { parseConfig } from '../config';
import { adHocDecision, OperationsConfigSchema, withModeDefaults } from './config';

const base = { subgraphs: [{ name: 'sales', url: 'http://127.0.0.1:1/graphql' }] };
const user = (roles: string[]) => ({ roles, kind: 'user' as const });

describe('operations config', () => {
  it('defaults: the order service is official-only in production, nobody in development; no registration', () => {
    expect(parseConfig(base).operations).toMatchObject({ officialOnlyRoles: [], sandboxRoles: ['analyst', 'domain-team', 'admin'], otherPrincipals: 'ad-hoc', registration: { enabled: false } });
    expect(withModeDefaults(OperationsConfigSchema.parse({}), 'production').officialOnlyRoles).toEqual(['service']);
    expect(withModeDefaults(OperationsConfigSchema.parse({ officialOnlyRoles: [] }), 'production').officialOnlyRoles).toEqual([]);
  });

  it('a role in both lists, an unknown key and a bad value are refused, naming the key', () => {
    expect(() => parseConfig({ ...base, operations: { officialOnlyRoles: ['service'], sandboxRoles: ['analyst', 'service'] } })).toThrow(
      'operations.sandboxRoles.1: "service" is also in operations.officialOnlyRoles; a role is either sandbox or official-only',
    );
    expect(() => parseConfig({ ...base, operations: { sandbox: [] } })).toThrow('operations.sandbox: unknown key');
    expect(() => parseConfig({ ...base, operations: { otherPrincipals: 'none' } })).toThrow(/operations\.otherPrincipals: /);
    expect(() => parseConfig({ ...base, operations: { registration: { enabled: 'yes' } } })).toThrow(/operations\.registration\.enabled: /);
  });
});

describe('adHocDecision', () => {
  const config = { officialOnlyRoles: ['service'], sandboxRoles: ['analyst'], otherPrincipals: 'ad-hoc' as const };
  it('roles grant: a sandbox role wins over an official-only one', () => {
    expect(adHocDecision(config, user(['service', 'analyst']))).toEqual({ allowed: true });
    expect(adHocDecision(config, user(['service', 'employee']))).toEqual({ allowed: false, because: 'your role (service) may run official operations only' });
  });
  it('principals with neither kind of role follow otherPrincipals', () => {
    expect(adHocDecision(config, user(['employee']))).toEqual({ allowed: true });
    const strict = { ...config, otherPrincipals: 'official-only' as const };
    expect(adHocDecision(strict, user(['employee']))).toEqual({ allowed: false, because: 'principals without a sandbox role (yours: employee) may run official operations only' });
    expect(adHocDecision(strict, { roles: [], kind: 'anonymous' })).toEqual({ allowed: false, because: 'anonymous requests may run official operations only' });
  });
  it('a role named like an Object property is just a name', () => {
    expect(adHocDecision(config, user(['constructor', '__proto__']))).toEqual({ allowed: true });
  });
});
