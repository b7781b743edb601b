/** aliasRequiredFields and splitConflictingRequires on a small supergraph: what they rewrite, and what they leave alone. */
import { buildSchema, parse, print, type OperationDefinitionNode } from 'graphql';
import { aliasRequiredFields, requiredArguments } from './aliasRequiredFields';
import { requirementsOf, splitConflictingRequires } from './splitConflictingRequires';

// The two fields are what a supergraph's join__field directives carry (graph, requires).
const supergraph = buildSchema(`
  directive @join__field(graph: G, requires: String) repeatable on FIELD_DEFINITION
  enum G { PARCELS SHIPPING }
  enum Unit { GRAM KILOGRAM }
  type Parcel {
    id: ID!
    weight(unit: Unit = GRAM): Float!
    estimate: Int! @join__field(graph: SHIPPING, requires: "weight(unit: KILOGRAM)")
    packaging: Int! @join__field(graph: SHIPPING, requires: "weight(unit: GRAM)")
  }
  type Query { parcels: [Parcel!]! parcel(id: ID!): Parcel }
  type Mutation { pack: [Parcel!]! }
`);
const api = buildSchema(`
  enum Unit { GRAM KILOGRAM }
  type Parcel { id: ID! weight(unit: Unit = GRAM): Float! estimate: Int! packaging: Int! }
  type Query { parcels: [Parcel!]! parcel(id: ID!): Parcel }
  type Mutation { pack: [Parcel!]! }
`);
const compact = (text: string) => print(parse(text)).replace(/\s+/g, ' ');

test('aliasRequiredFields: a client field a @requires needs with other arguments gets an alias; an aliased or agreeing one does not', () => {
  const required = requiredArguments(supergraph);
  const result = aliasRequiredFields(api, required, parse('{ parcels { weight estimate w: weight(unit: GRAM) } }'))!;
  expect(compact(print(result.document))).toBe(compact('{ parcels { weight__meshgate_client: weight estimate w: weight(unit: GRAM) } }'));
  expect([...result.aliases]).toEqual([['weight__meshgate_client', 'weight']]);
  expect(aliasRequiredFields(api, required, parse('{ parcels { id estimate } }'))).toBeUndefined();
});

test('splitConflictingRequires: the parent is selected again for the conflicting field, with its arguments; agreeing fields stay together', () => {
  const document = parse('{ parcel(id: "p1") { id estimate packaging } }');
  const result = splitConflictingRequires(api, requirementsOf(supergraph), document, document.definitions[0] as OperationDefinitionNode)!;
  expect(compact(print(result.document))).toBe(compact('{ parcel(id: "p1") { id estimate } parcel__meshgate_requires_1: parcel(id: "p1") { packaging } }'));
  expect(result.duplicates).toEqual([{ path: [], key: 'parcel', alias: 'parcel__meshgate_requires_1', required: ['weight'] }]);
  const agreeing = parse('{ parcels { estimate e2: estimate } }');
  expect(splitConflictingRequires(api, requirementsOf(supergraph), agreeing, agreeing.definitions[0] as OperationDefinitionNode)).toBeUndefined();
});

test('splitConflictingRequires never duplicates a mutation field (it would run twice)', () => {
  const document = parse('mutation { pack { estimate packaging } }');
  expect(splitConflictingRequires(api, requirementsOf(supergraph), document, document.definitions[0] as OperationDefinitionNode)).toBeUndefined();
});
