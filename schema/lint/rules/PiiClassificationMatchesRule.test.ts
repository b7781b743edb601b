import { PiiClassificationMatchesRule } from './PiiClassificationMatchesRule';
import { lintWith, validDescriptor } from '../testing';

const SCHEMA = `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"])
  @link(url: "https://meshgate.dev/pii/v1.0", import: ["@pii"])
  @composeDirective(name: "@pii")
"Personal data."
directive @pii(category: String = "contact") on FIELD_DEFINITION
"A person."
type Person @key(fields: "id") {
  "Id."
  id: ID!
  "Email."
  email: String @pii
  "Name."
  name: String! @pii(category: "identity")
  "Nickname."
  nickname: String
}
`;

test('the descriptor and the directives agree', () => {
  const descriptor = validDescriptor({ pii: { 'Person.email': 'contact', 'Person.name': 'identity' } });
  expect(lintWith(PiiClassificationMatchesRule, { schema: SCHEMA, descriptor })).toEqual([]);
});

test('a field marked @pii but not classified in the descriptor is an error with the line to add', () => {
  const issues = lintWith(PiiClassificationMatchesRule, { schema: SCHEMA, descriptor: validDescriptor({ pii: { 'Person.name': 'identity' } }) });
  expect(issues).toEqual([
    expect.objectContaining({
      coordinate: 'Person.email',
      file: '/shop/schema.graphql',
      message: 'Person.email is marked @pii(category: "contact") but dataproduct.yaml does not classify it: add "Person.email: contact" under pii',
    }),
  ]);
});

test('categories that differ, fields the schema lacks and fields classified but not marked are errors', () => {
  const descriptor = validDescriptor({ pii: { 'Person.email': 'contact', 'Person.name': 'contact', 'Person.nickname': 'identity', 'Person.age': 'demographic' } });
  expect(lintWith(PiiClassificationMatchesRule, { schema: SCHEMA, descriptor }).map((issue) => issue.message)).toEqual([
    'Person.name: @pii says category "identity", dataproduct.yaml says "contact"; make them agree',
    'Person.nickname is classified "identity" in dataproduct.yaml but not marked in schema.graphql: add @pii(category: "identity") so both say the same (the gateway refuses to start when a schema that marks PII disagrees with its descriptor)',
    'pii: Person.age is not a field this subgraph defines',
  ]);
});
