import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { composeOrThrow } from '../../../schema/compose';
import { argumentCoordinate, readSupergraphFacts } from './supergraphFacts';

const link = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"])
  @link(url: "https://meshgate.dev/reads/v1.0", import: ["@reads"])
  @composeDirective(name: "@reads")
directive @reads(fields: [String!]!) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE`;

const facts = readSupergraphFacts(
  composeOrThrow([
    {
      name: 'people',
      url: 'http://people',
      typeDefs: parse(`${link}
        type Person @key(fields: "id") { id: ID! name: String nickname: String age: Int }
        enum PersonSortField { ID NAME @reads(fields: ["Person.name"]) }
        input PersonOrder { field: PersonSortField! }
        input PersonFilter { search: String @reads(fields: ["Person.name", "Person.nickname"]) olderThan: Int @reads(fields: ["Person.age"]) and: [PersonFilter!] }
        type Query {
          people(filter: PersonFilter, orderBy: PersonOrder, named: String @reads(fields: ["Person.name"]), first: Int): [Person!]
        }`),
    },
  ]),
);

test('an argument, an input field and an enum value name the fields they read, by schema coordinate', () => {
  expect(argumentCoordinate('Query', 'people', 'named')).toBe('Query.people(named:)');
  expect(facts.reads('Query.people(named:)')).toEqual({ fields: ['Person.name'] });
  expect(facts.reads('PersonFilter.search')).toEqual({ fields: ['Person.name', 'Person.nickname'] });
  expect(facts.reads('PersonOrder.field')).toEqual({ fields: [], byValue: { NAME: ['Person.name'] } });
  // Declaring nothing reads nothing: pagination, and input objects whose fields carry the links.
  expect(facts.reads('Query.people(first:)')).toBeUndefined();
  expect(facts.reads('Query.people(filter:)')).toBeUndefined();
  expect(new Set([...facts.allReads()].map(([coordinate]) => coordinate))).toEqual(
    new Set(['Query.people(named:)', 'PersonFilter.search', 'PersonFilter.olderThan', 'PersonOrder.field']),
  );
});

test('argument paths expand each argument into its input fields, expanding a recursive input once inside itself', () => {
  expect(Object.fromEntries(facts.argumentPaths())).toEqual({
    'Query.people(filter:).search': { fields: ['Person.name', 'Person.nickname'] },
    'Query.people(filter:).olderThan': { fields: ['Person.age'] },
    'Query.people(filter:).and.search': { fields: ['Person.name', 'Person.nickname'] },
    'Query.people(filter:).and.olderThan': { fields: ['Person.age'] },
    'Query.people(orderBy:).field': { fields: [], byValue: { NAME: ['Person.name'] } },
    'Query.people(named:)': { fields: ['Person.name'] },
  });
});

test("the mesh's supergraph links the search oracle and the anomaly filters to the fields they read (issue 13)", () => {
  const mesh = readSupergraphFacts(readFileSync(join(__dirname, '../../../schema/supergraph.graphql'), 'utf8'));
  const paths = mesh.argumentPaths();
  expect(paths.get('Query.customers(filter:).search')).toEqual({ fields: ['Customer.name'] });
  expect(mesh.reads('CustomerFilter.search')).toEqual({ fields: ['Customer.name'] });
  for (const path of ['Query.transactions(filter:).flaggedOnly', 'Query.transactionSummary(filter:).flaggedOnly', 'Customer.transactions(filter:).flaggedOnly']) {
    expect(paths.get(path)?.fields).toEqual(['Transaction.anomaly', 'AnomalyAssessment.flagged']);
  }
  expect(paths.get('Query.transactions(orderBy:).field')?.byValue).toEqual({ OCCURRED_AT: ['Transaction.occurredAt'], AMOUNT: ['Transaction.amount'] });
  // Every declared read names a field of the supergraph.
  for (const [coordinate, { fields, byValue }] of mesh.allReads()) {
    for (const field of [...fields, ...Object.values(byValue ?? {}).flat()]) {
      const [typeName, fieldName] = field.split('.');
      expect([coordinate, mesh.field(typeName, fieldName) ? 'known' : 'unknown']).toEqual([coordinate, 'known']);
    }
  }
});
