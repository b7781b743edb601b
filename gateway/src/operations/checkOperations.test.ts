import { print, parse } from 'graphql';
import { parseLimitsConfig } from '../limits/config';
import { apiSchema } from '../limits/testing';
import { checkOperations, warnAboutOfficialOperations } from './checkOperations';
import { operationIdOf, type OfficialOperation } from './officialOperations';

const operation = (name: string, text: string, overrides: Partial<OfficialOperation> = {}): OfficialOperation => {
  const document = print(parse(text));
  return { id: operationIdOf(document), name, document, owner: 'sales', description: 'd', file: `sales/${name}.graphql`, type: 'query', roles: ['analyst'], folderDescription: 'f', ...overrides };
};
const limits = parseLimitsConfig({ byRole: { analyst: { maxDepth: 4 }, service: { maxDepth: 12 } } });
const check = (operations: OfficialOperation[]) => checkOperations(operations, { schema: apiSchema(), limits, domains: ['sales', 'customers'] });

describe('checkOperations', () => {
  const deep = 'query Deep { customers(first: 1) { edges { node { orders(first: 1) { edges { node { id } } } } } } }';

  it('passes a valid operation within the limits of its roles', () => {
    expect(check([operation('Orders', 'query Orders { orders(first: 1) { edges { node { id } } } }', { roles: ['analyst', 'service'] })])).toEqual([]);
  });

  it("names the operation, its owner and file for a field the schema does not have", () => {
    expect(check([operation('Gone', 'query Gone { orders(first: 1) { edges { node { vanished } } } }')])).toEqual([
      { operation: 'Gone', owner: 'sales', file: 'sales/Gone.graphql', code: 'invalid', message: 'Cannot query field "vanished" on type "Order".' },
    ]);
  });

  it('applies the limits of each role meant to run it, not of the others', () => {
    expect(check([operation('Deep', deep, { roles: ['service'] })])).toEqual([]);
    expect(check([operation('Deep', deep, { roles: ['service', 'analyst'] })])).toEqual([
      expect.objectContaining({ operation: 'Deep', code: 'over-limit', message: expect.stringMatching(/exceeds the limit of 4 for your role \(analyst\)/) }),
    ]);
  });

  it('the gateway logs, at each supergraph load, the official operations the graph no longer admits', () => {
    const warnings: string[] = [];
    const warn = warnAboutOfficialOperations([operation('Gone', 'query Gone { orders(first: 1) { edges { node { vanished } } } }', { owner: 'growth' })], limits, { warn: (_details, message) => warnings.push(message) });
    warn({ apiSchema: apiSchema() });
    expect(warnings).toEqual(['official operation Gone (owner growth) fails against the served supergraph: Cannot query field "vanished" on type "Order".']);
  });

  it('refuses an owner that is neither a domain nor the platform', () => {
    const problems = check([operation('Orders', 'query Orders { orders(first: 1) { totalCount } }', { owner: 'growth' }), operation('Other', 'query Other { orders(first: 1) { totalCount } }', { owner: 'platform' })]);
    expect(problems).toEqual([expect.objectContaining({ operation: 'Orders', code: 'unknown-owner', message: 'owner "growth" is neither a domain (sales, customers) nor "platform"' })]);
  });
});
