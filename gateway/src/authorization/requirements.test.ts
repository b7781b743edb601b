import { parse } from 'graphql';
import { allow, deny, rule } from 'graphql-shield';
import { Supergraph } from '@apollo/federation-internals';
import { composeOrThrow } from '../../../schema/compose';
import { compilePolicy, PolicyError } from './compilePolicy';
import { defineDomainPolicy, defineGlobalPolicy } from './policy';
import { requiredFieldsOf } from './requirements';
import { readSupergraphFacts } from './supergraphFacts';

const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@requires"])';
const supergraphOf = (payFields: string) => {
  const sdl = composeOrThrow([
    { name: 'people', url: 'http://people', typeDefs: parse(`${link} type Person @key(fields: "id") { id: ID! name: String team: Team } type Team @key(fields: "id") { id: ID! budget: Float } type Query { person(id: ID!): Person }`) },
    { name: 'pay', url: 'http://pay', typeDefs: parse(`${link} type Person @key(fields: "id") { id: ID! ${payFields} } type Team @key(fields: "id") { id: ID! budget: Float @external }`) },
    { name: 'review', url: 'http://review', typeDefs: parse(`${link} type Person @key(fields: "id") { id: ID! band: String @external rating: Int @requires(fields: "band") }`) },
  ]);
  return { schema: Supergraph.build(sdl, { supportedFeatures: null as never }).apiSchema().toGraphQLJSSchema(), facts: readSupergraphFacts(sdl) };
};
const PAY = 'name: String @external team: Team @external band: String @requires(fields: "name") teamShare: Float @requires(fields: "team { budget }")';

const global = defineGlobalPolicy({ fallbackRule: deny, piiRule: allow, namedPolicies: {}, rules: { Query: { '*': allow } } });
const readsParent = rule('sameTeam', { fragment: '... on Person { team { id } }' })(() => true);
const compile = (payFields: string, people: Record<string, unknown>) => {
  const { schema, facts } = supergraphOf(payFields);
  return compilePolicy({
    global,
    domains: [
      defineDomainPolicy('people', { Person: people as never, Team: { '*': allow } }),
      defineDomainPolicy('pay', { Person: { '*': allow } }),
      defineDomainPolicy('review', { Person: { '*': allow } }),
    ],
    schema,
    facts,
  });
};
const labels = (policy: ReturnType<typeof compilePolicy>, coordinate: string) => policy.forField(...(coordinate.split('.') as [string, string])).parts.map((part) => part.label);

test('a requirement field set names its fields as coordinates, nested ones marked', () => {
  const { schema } = supergraphOf(PAY);
  expect(requiredFieldsOf(schema, 'Person', 'name team { budget __typename }')).toEqual([
    { coordinate: 'Person.name', nested: false },
    { coordinate: 'Person.team', nested: false },
    { coordinate: 'Team.budget', nested: true },
  ]);
});

test('a field that @requires others is governed by their rules too, through requirements of requirements', () => {
  const policy = compile(PAY, { '*': allow, name: deny });
  expect(labels(policy, 'Person.band')).toEqual(['pay:Person.*', 'requires(Person.name):people:Person.name']);
  expect(labels(policy, 'Person.teamShare')).toEqual(['pay:Person.*', 'requires(Person.team):people:Person.*', 'requires(Team.budget):people:Team.*']);
  // review's rating requires pay's band, which requires people's name.
  expect(labels(policy, 'Person.rating')).toEqual(['review:Person.*', 'requires(Person.band):pay:Person.*', 'requires(Person.band):requires(Person.name):people:Person.name']);
  const denying = policy.forField('Person', 'rating').parts.find((part) => part.label.endsWith('people:Person.name'));
  expect(denying?.rule).toBe(deny);
  // A field nobody requires keeps exactly its own rules.
  expect(labels(policy, 'Person.name')).toEqual(['people:Person.name']);
});

test('a requirement checked per row on the same object is checked on that row: its parent selections come along', () => {
  const policy = compile(PAY, { '*': allow, name: readsParent });
  const band = policy.forField('Person', 'band');
  expect(band.rowLevel).toBe(true);
  expect(band.parentSelections.map((selection) => (selection.kind === 'Field' ? selection.name.value : ''))).toEqual(['team']);
});

test('a nested requirement checked per row is refused with the field named, not guessed at', () => {
  const { schema, facts } = supergraphOf(PAY);
  const run = () =>
    compilePolicy({
      global,
      domains: [
        defineDomainPolicy('people', { Person: { '*': allow }, Team: { '*': allow, budget: readsParent } }),
        defineDomainPolicy('pay', { Person: { '*': allow } }),
        defineDomainPolicy('review', { Person: { '*': allow } }),
      ],
      schema,
      facts,
    });
  expect(run).toThrow(PolicyError);
  try {
    run();
  } catch (error) {
    expect((error as PolicyError).problems).toEqual([expect.stringMatching(/^Person\.teamShare @requires\(fields: "team \{ budget \}"\): Team\.budget is checked per row/)]);
  }
});
