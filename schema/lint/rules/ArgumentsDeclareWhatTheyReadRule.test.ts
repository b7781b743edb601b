import { ArgumentsDeclareWhatTheyReadRule } from './ArgumentsDeclareWhatTheyReadRule';
import { lintWith, validDescriptor } from '../testing';

const schema = (reads: boolean) => {
  const r = (fields: string) => (reads ? ` @reads(fields: [${fields}])` : '');
  return `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"])
  @link(url: "https://meshgate.dev/pii/v1.0", import: ["@pii"])
  @link(url: "https://meshgate.dev/reads/v1.0", import: ["@reads"])
"Personal data."
directive @pii(category: String = "contact") on FIELD_DEFINITION
"What an argument reads."
directive @reads(fields: [String!]!) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
"A person."
type Person @key(fields: "id") {
  "Id."
  id: ID!
  "Name."
  name: String @pii(category: "identity")
  "Salary."
  salary: Float
  "Team."
  team: String!
  "Risk."
  risk: Risk!
  "Orders."
  orders(first: Int = 20): [Int!]!
}
"Risk."
type Risk {
  "Flagged."
  flagged: Boolean!
}
"What people sort by."
enum PersonSortField {
  TEAM
  NAME${r('"Person.name"')}
}
"Narrows people."
input PersonFilter {
  "Search the name."
  search: String${r('"Person.name"')}
  "Team."
  team: String
  "Minimum salary."
  minSalary: Float${r('"Person.salary"')}
  "Flagged people only."
  flaggedOnly: Boolean${r('"Person.risk", "Risk.flagged"')}
}
"Sort order."
input PersonOrder {
  "By what."
  field: PersonSortField!
}
"A page."
type PersonConnection {
  "Total."
  totalCount: Int!
}
type Query {
  "People."
  people(filter: PersonFilter, orderBy: PersonOrder, name: String${r('"Person.name"')}, first: Int = 20): PersonConnection
}
`;
};
// Person.salary is classified in the descriptor only; Risk.flagged is guarded by a policy rule stronger than its type's.
const descriptor = validDescriptor({ pii: { 'Person.name': 'identity', 'Person.salary': 'financial' } });
const protectedField = (typeName: string, fieldName: string) => `${typeName}.${fieldName}` === 'Risk.flagged';

test('arguments that read protected fields and say so with @reads pass', () => {
  expect(lintWith(ArgumentsDeclareWhatTheyReadRule, { schema: schema(true), descriptor, protectedField })).toEqual([]);
});

test('a search, a filter named like a protected field, a *Only flag and a sort value without @reads are errors', () => {
  const issues = lintWith(ArgumentsDeclareWhatTheyReadRule, { schema: schema(false), descriptor, protectedField });
  expect(issues.map((issue) => [issue.coordinate, issue.line !== undefined])).toEqual([
    ['Query.people(name:)', true],
    ['PersonFilter.search', true],
    ['PersonFilter.minSalary', true],
    ['PersonFilter.flaggedOnly', true],
    ['PersonOrder.field', true],
  ]);
  expect(issues.find((issue) => issue.coordinate === 'PersonFilter.flaggedOnly')?.message).toBe(
    'PersonFilter.flaggedOnly looks like it filters, searches or sorts by Person.risk.flagged, which is protected: add @reads(fields: [...]) naming the fields it reads, so the gateway applies their rules to it',
  );
  expect(issues.find((issue) => issue.coordinate === 'PersonOrder.field')?.message).toContain('Person.name (sort value NAME)');
});

test('filters on unprotected fields and pagination need no @reads', () => {
  const unprotected = schema(false).replace(' @pii(category: "identity")', '');
  const issues = lintWith(ArgumentsDeclareWhatTheyReadRule, { schema: unprotected, descriptor: validDescriptor({ pii: {} }), protectedField: () => false });
  expect(issues).toEqual([]);
});
