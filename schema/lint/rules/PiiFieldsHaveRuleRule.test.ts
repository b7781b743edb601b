import { PiiFieldsHaveRuleRule } from './PiiFieldsHaveRuleRule';
import { lintWith, validDescriptor } from '../testing';

const SCHEMA = `
extend schema @link(url: "https://meshgate.dev/pii/v1.0", import: ["@pii"])
"Personal data."
directive @pii(category: String = "contact") on FIELD_DEFINITION
"A person."
type Person {
  "Email."
  email: String @pii
  "Phone."
  phone: String
  "City."
  city: String
}
`;

test('with the default coverage, every field marked @pii is guarded by the global policy', () => {
  expect(lintWith(PiiFieldsHaveRuleRule, { schema: SCHEMA, descriptor: validDescriptor({ pii: { 'Person.email': 'contact' } }) })).toEqual([]);
});

test('a field classified PII only in the descriptor is not guarded by anything', () => {
  const issues = lintWith(PiiFieldsHaveRuleRule, { schema: SCHEMA, descriptor: validDescriptor({ pii: { 'Person.email': 'contact', 'Person.phone': 'contact' } }) });
  expect(issues).toEqual([
    expect.objectContaining({
      rule: 'PiiFieldsHaveRule',
      coordinate: 'Person.phone',
      message: 'Person.phone holds personal data (contact) but no authorization rule covers it: mark it @pii so the global policy guards it, or add a rule in policies/shop.ts',
    }),
  ]);
});

test('the policies decide through the coverage function they pass in', () => {
  const asked: string[] = [];
  const issues = lintWith(PiiFieldsHaveRuleRule, {
    schema: SCHEMA,
    descriptor: validDescriptor({ pii: { 'Person.email': 'contact' } }),
    piiCoverage: (typeName, fieldName) => {
      asked.push(`${typeName}.${fieldName}`);
      return { covered: false };
    },
  });
  expect(asked).toEqual(['Person.email']);
  expect(issues.map((issue) => issue.coordinate)).toEqual(['Person.email']);
  // Fields that are not personal data are never asked about: they are the deny-by-default policy's business.
  expect(asked).not.toContain('Person.city');
});
