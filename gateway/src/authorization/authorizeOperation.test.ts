/**
 * The authorization stage on a small local schema: authorizeOperation rewrites,
 * graphql-js executes the rewritten operation, completeResponse finishes. No
 * federation involved, so abstract types and introspection can be checked
 * precisely.
 */
import { buildSchema, execute, parse, print, type ExecutionResult } from 'graphql';
import { allow, deny, rule } from 'graphql-shield';
import { ANONYMOUS, type Principal } from '../identity/principal';
import type { MeshContext } from '../context';
import { authorizeOperation, type IntrospectionPolicy } from './authorizeOperation';
import { compilePolicy } from './compilePolicy';
import { completeResponse } from './completeResponse';
import { defineGlobalPolicy } from './policy';
import { readSupergraphFacts } from './supergraphFacts';

const sdl = `
  interface Media { id: ID! title: String }
  type Book implements Media { id: ID! title: String pages: Int! }
  type Movie implements Media { id: ID! title: String minutes: Int }
  union Item = Book | Movie
  type Shelf { label: String! secret: String! items: [Item!]! }
  type Query { media: [Media!]! shelf: Shelf items: [Item!]! }
`;
const schema = buildSchema(sdl);
const data = {
  media: [
    { __typename: 'Book', id: '1', title: 'Dune', pages: 412 },
    { __typename: 'Movie', id: '2', title: 'Alien', minutes: 117 },
  ],
  shelf: { label: 'A', secret: 's3cret', items: [] },
};
const staff = rule('staff')((_parent, _args, context: MeshContext) => context.principal.roles.includes('staff') || 'staff only');
const policy = compilePolicy({
  global: defineGlobalPolicy({
    fallbackRule: deny,
    piiRule: allow,
    namedPolicies: {},
    rules: { Query: allow, Media: allow, Book: { '*': allow, title: staff, pages: staff }, Movie: allow, Shelf: { '*': allow, secret: staff } },
  }),
  domains: [],
  schema,
  facts: readSupergraphFacts(sdl),
});

const principal = (roles: string[]): Principal => ({ ...ANONYMOUS, id: 'u', kind: 'user', roles, authenticatedBy: 'jwt' });

async function run(query: string, roles: string[] = [], introspection: IntrospectionPolicy = 'always') {
  const context: MeshContext = { principal: roles.length ? principal(roles) : ANONYMOUS, requestId: 'r', client: {}, _shield: { cache: {} }, cache: {} };
  const errors: unknown[] = [];
  const plan = await authorizeOperation({ schema, policy, document: parse(query), context, introspection, onRuleError: (_rule, error) => errors.push(error) });
  const result = (await execute({ schema, document: plan.document, rootValue: data })) as ExecutionResult & { data: Record<string, unknown> };
  await completeResponse(result, plan, context, () => undefined);
  return { sent: print(plan.document), result: JSON.parse(JSON.stringify(result)) };
}

test('a field denied on one implementation only is removed there, and only that type gets null', async () => {
  const { sent, result } = await run('{ media { id title } }');
  // Media.title is decided for every possible type: one of them denies, so the field is not fetched at all.
  expect(sent).not.toContain('title');
  expect(result.data.media).toEqual([
    { id: '1', title: null },
    { id: '2', title: null },
  ]);
  expect(result.errors.map((error: any) => error.path)).toEqual([
    ['media', 0, 'title'],
    ['media', 1, 'title'],
  ]);
});

test('inside type conditions the denial applies to the denied type only', async () => {
  const { sent, result } = await run('{ media { id ... on Book { pages } ... on Movie { minutes } } }');
  expect(sent).not.toContain('pages');
  expect(sent).toContain('mg__typename: __typename');
  // Book.pages is Int!: the null climbs to the Book (a non-null list item), then to the nullable... list is non-null too.
  expect(result.data).toBeNull();
  expect(result.errors).toEqual([expect.objectContaining({ path: ['media', 0, 'pages'], extensions: expect.objectContaining({ code: 'FORBIDDEN', reason: 'staff only' }) })]);
});

test('staff see everything, and nothing is rewritten', async () => {
  const { sent, result } = await run('{ media { id title ... on Book { pages } } shelf { secret } }', ['staff']);
  expect(sent).toBe(print(parse('{ media { id title ... on Book { pages } } shelf { secret } }')));
  expect(result.errors).toBeUndefined();
  expect(result.data.shelf).toEqual({ secret: 's3cret' });
});

test('a selection set left empty keeps its parent with a helper field that is removed again', async () => {
  const { sent, result } = await run('{ shelf { secret } }');
  expect(sent).toContain('shelf {\n    mg__typename: __typename');
  // Shelf.secret is String!: the shelf becomes null (Query.shelf is nullable).
  expect(result.data).toEqual({ shelf: null });
});

test.each([
  ['always', [], true],
  ['authenticated', [], false],
  ['authenticated', ['reader'], true],
  ['never', ['staff'], false],
] as const)('introspection %s for roles %j: allowed=%s', async (policyName, roles, allowed) => {
  const { result } = await run('{ __type(name: "Book") { name } }', [...roles], policyName);
  if (allowed) expect(result.data).toEqual({ __type: { name: 'Book' } });
  else {
    expect(result.data).toEqual({ __type: null });
    expect(result.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'config:introspection' });
  }
});
