import { allow, deny, or, rule } from 'graphql-shield';
import { parse } from 'graphql';
import { composeOrThrow } from '../../../schema/compose';
import { compilePolicy, PolicyError } from './compilePolicy';
import { defineDomainPolicy, defineGlobalPolicy } from './policy';
import { readSupergraphFacts } from './supergraphFacts';
import { Supergraph } from '@apollo/federation-internals';

const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@authenticated", "@requiresScopes", "@composeDirective"]) @link(url: "https://meshgate.dev/pii/v1.0", import: ["@pii"]) @composeDirective(name: "@pii")';
const supergraphSdl = composeOrThrow([
  {
    name: 'people',
    url: 'http://people',
    typeDefs: parse(`${link}
      directive @pii(category: String) on FIELD_DEFINITION
      type Person @key(fields: "id") { id: ID! name: String @pii(category: "identity") nickname: String team: String @authenticated }
      type Query { person(id: ID!): Person people: [Person!] @requiresScopes(scopes: [["people:list"]]) }`),
  },
  {
    name: 'pay',
    url: 'http://pay',
    typeDefs: parse(`${link}
      directive @pii(category: String) on FIELD_DEFINITION
      type Person @key(fields: "id") { id: ID! salary: Float }`),
  },
]);
const schema = Supergraph.build(supergraphSdl, { supportedFeatures: null as never }).apiSchema().toGraphQLJSSchema();
const facts = readSupergraphFacts(supergraphSdl);
const isAuthenticated = rule('isAuthenticated')(() => true);
const global = defineGlobalPolicy({ fallbackRule: deny, piiRule: rule('pii')(() => true), namedPolicies: {}, rules: { Query: { '*': isAuthenticated } } });

const problemsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).problems;
  }
  throw new Error('expected a PolicyError');
};
const labels = (policy: ReturnType<typeof compilePolicy>, coordinate: string) => {
  const [type, field] = coordinate.split('.');
  return policy.forField(type, field).parts.map((part) => part.label);
};

test('every field gets the global, PII, domain and directive rules that apply, or the deny fallback', () => {
  const policy = compilePolicy({
    global,
    domains: [defineDomainPolicy('people', { Person: { '*': isAuthenticated } }), defineDomainPolicy('pay', { Person: { salary: isAuthenticated } })],
    schema,
    facts,
  });
  expect(labels(policy, 'Query.person')).toEqual(['global:Query.*']);
  expect(labels(policy, 'Query.people')).toEqual(['global:Query.*', 'directive:@requiresScopes']);
  expect(labels(policy, 'Person.name')).toEqual(['global:pii(identity)', 'people:Person.*']);
  expect(labels(policy, 'Person.team')).toEqual(['people:Person.*', 'directive:@authenticated']);
  // A key field belongs to every subgraph that defines it: both domains' rules apply.
  expect(labels(policy, 'Person.id')).toEqual(['people:Person.*']);
  expect(labels(policy, 'Person.salary')).toEqual(['pay:Person.salary']);
});

test('a field no rule covers gets the global fallback (deny by default)', () => {
  const policy = compilePolicy({ global, domains: [], schema, facts });
  expect(labels(policy, 'Person.nickname')).toEqual(['global:fallback']);
  expect(policy.forField('Person', 'nickname').parts[0].rule).toBe(deny);
});

test('a domain rule that would widen a global rule is rejected', () => {
  expect(
    problemsOf(() => compilePolicy({ global, domains: [defineDomainPolicy('people', { Person: { name: allow }, Query: { person: allow } })], schema, facts })),
  ).toEqual([
    'policies/people.ts: Person.name is set to allow, which would widen the global rule global:pii(identity) (a domain rule may only narrow)',
    'policies/people.ts: Query.person is set to allow, which would widen the global rule global:Query.* (a domain rule may only narrow)',
  ]);
});

test('rules on fields another domain owns, unknown fields and unknown domains are rejected', () => {
  expect(
    problemsOf(() =>
      compilePolicy({
        global,
        domains: [defineDomainPolicy('pay', { Person: { name: isAuthenticated, shoeSize: isAuthenticated } }), defineDomainPolicy('hr', {})],
        schema,
        facts,
      }),
    ),
  ).toEqual([
    'policies/pay.ts: Person.shoeSize is not a field of the supergraph',
    'policies/hr.ts: "hr" is not a subgraph of the supergraph',
    'policies/pay.ts: Person.name governs no field that the pay subgraph owns',
  ]);
});

test('row-level rules are recognised by their fragment, also inside logic rules', () => {
  const ownRecord = rule('ownRecord', { fragment: '... on Person { team }' })(() => true);
  const policy = compilePolicy({ global, domains: [defineDomainPolicy('people', { Person: { '*': isAuthenticated, nickname: or(isAuthenticated, ownRecord) } })], schema, facts });
  expect(policy.forField('Person', 'nickname')).toMatchObject({ rowLevel: true, parentSelections: [expect.objectContaining({ name: expect.objectContaining({ value: 'team' }) })] });
  expect(policy.forField('Person', 'team').rowLevel).toBe(false);
});

test('PII classified only in a descriptor gets the global PII rule, when the subgraph marks no field @pii (issue 13)', () => {
  const policy = compilePolicy({ global, domains: [], schema, facts, descriptors: [{ subgraph: 'pay', pii: { 'Person.salary': 'financial' } }, { subgraph: 'people', pii: { 'Person.name': 'identity' } }] });
  expect(labels(policy, 'Person.salary')).toEqual(['global:pii(financial)']);
  expect(labels(policy, 'Person.name')).toEqual(['global:pii(identity)']);
});

test('a descriptor that disagrees with @pii is rejected with the field named (issue 13)', () => {
  expect(problemsOf(() => compilePolicy({ global, domains: [], schema, facts, descriptors: [{ subgraph: 'people', pii: { 'Person.name': 'contact', 'Person.nickname': 'identity', 'Person.age': 'other' } }] }))).toEqual([
    'Person.name: @pii says category "identity", the people descriptor (dataproduct.yaml) says "contact"; make them agree',
    'Person.nickname: the people descriptor (dataproduct.yaml) classifies it as PII (identity) but schema.graphql does not mark it @pii; make them agree',
    'Person.age: the people descriptor (dataproduct.yaml) classifies it as PII (other), but the people subgraph serves no such field',
  ]);
  expect(problemsOf(() => compilePolicy({ global, domains: [], schema, facts, descriptors: [{ subgraph: 'people', pii: {} }] }))).toEqual([
    'Person.name: marked @pii(category: "identity") but the people descriptor (dataproduct.yaml) does not classify it; add "Person.name: identity" under pii',
  ]);
});
