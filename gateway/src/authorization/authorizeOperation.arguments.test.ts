/**
 * Arguments are data, and skipped selections are not selections: on a small
 * local schema with `@reads`, authorizeOperation denies a field whose arguments
 * filter, search or sort by a field the principal may not read (on every
 * object), and removes what `@skip`/`@include` removes before deciding it.
 */
import { buildSchema, execute, parse, print, type ExecutionResult } from 'graphql';
import { allow, deny, or, rule } from 'graphql-shield';
import { ANONYMOUS, type Principal } from '../identity/principal';
import type { MeshContext } from '../context';
import { authorizeOperation } from './authorizeOperation';
import { compilePolicy } from './compilePolicy';
import { completeResponse } from './completeResponse';
import { defineGlobalPolicy } from './policy';
import { readSupergraphFacts } from './supergraphFacts';

const sdl = `
  directive @reads(fields: [String!]!) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
  enum SortField { NAME @reads(fields: ["Person.name"]) SALARY @reads(fields: ["Person.salary"]) }
  input PersonFilter {
    name: String @reads(fields: ["Person.name"])
    minSalary: Int @reads(fields: ["Person.salary"])
    not: PersonFilter
  }
  type Person { id: ID! name: String salary: Int note: String }
  type Query {
    people(filter: PersonFilter, orderBy: [SortField!], owner: String @reads(fields: ["Person.note"]), top: Int = 3 @reads(fields: ["Person.salary"])): [Person!]!
    everyone(filter: PersonFilter): [Person!]!
  }
`;
const schema = buildSchema(sdl);
const people = [{ id: '1', name: 'Ada', salary: 100, note: 'n' }];
const rootValue = { people: () => people, everyone: () => people };
const hr = rule('hr')((_parent, _args, context: MeshContext) => context.principal.roles.includes('hr') || 'hr only');
// Row-level: readable on the principal's own row only.
const ownRow = rule('ownRow', { fragment: '... on Person { id }' })((person: { id: string }, _args, context: MeshContext) => person.id === context.principal.id || 'own row only');
const policy = compilePolicy({
  global: defineGlobalPolicy({
    fallbackRule: deny,
    piiRule: allow,
    namedPolicies: {},
    rules: { Query: allow, Person: { '*': allow, salary: hr, note: or(hr, ownRow) } },
  }),
  domains: [],
  schema,
  facts: readSupergraphFacts(sdl),
});

const principal = (roles: string[]): Principal => ({ ...ANONYMOUS, id: '1', kind: 'user', roles, authenticatedBy: 'jwt' });

async function run(query: string, options: { roles?: string[]; variables?: Record<string, unknown> } = {}) {
  const context: MeshContext = { principal: principal(options.roles ?? []), requestId: 'r', client: {}, _shield: { cache: {} }, cache: {} };
  const document = parse(query);
  const plan = await authorizeOperation({ schema, policy, document, variables: options.variables, context, introspection: 'always', onRuleError: () => undefined });
  const result = (await execute({ schema, document: plan.document, rootValue, variableValues: options.variables })) as ExecutionResult & { data: Record<string, unknown> };
  await completeResponse(result, plan, context, () => undefined);
  return { sent: print(plan.document), signature: plan.signature, result: JSON.parse(JSON.stringify(result)) };
}

describe('arguments are data', () => {
  test.each([
    ['an input field', '{ people(filter: { minSalary: 50 }) { id } }', 'filter.minSalary', 'Person.salary'],
    ['an input field nested in the same input type', '{ people(filter: { not: { minSalary: 50 } }) { id } }', 'filter.not.minSalary', 'Person.salary'],
    ['an enum value in a list (a sort field)', '{ people(orderBy: [NAME, SALARY]) { id } }', 'orderBy', 'Person.salary'],
    ['an argument readable on some rows only (row-level)', '{ people(owner: "x", top: null) { id } }', 'owner', 'Person.note'],
  ])('%s that reads a field the principal may not read denies the field, naming the argument', async (_case, query, argumentPath, read) => {
    const { sent, result } = await run(query);
    expect(sent).not.toContain('people');
    expect(result.data).toBeNull(); // Query.people is non-null
    expect(result.errors).toEqual([
      expect.objectContaining({ path: ['people'], message: expect.stringContaining(`the argument ${argumentPath} reads ${read}`), extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
  });

  test('a default value reads as if it were given', async () => {
    const { result } = await run('{ people { id } }');
    expect(result.errors?.[0].message).toContain('the argument top reads Person.salary');
  });

  test('the same field with arguments that read only readable fields is served; null values read nothing', async () => {
    const { result } = await run('{ people(filter: { name: "A", minSalary: null }, orderBy: [NAME], top: null) { id name } }');
    expect(result.errors).toBeUndefined();
    expect(result.data.people).toEqual([{ id: '1', name: 'Ada' }]);
  });

  test('a variable is read as coerced: a filter given through a variable is governed like a literal', async () => {
    const { result } = await run('query ($f: PersonFilter) { everyone(filter: $f) { id } }', { variables: { f: { minSalary: 1 } } });
    expect(result.errors?.[0]).toMatchObject({ path: ['everyone'], extensions: { code: 'FORBIDDEN', rule: 'global:Person.salary' } });
  });

  test('a principal who may read the field may filter by it', async () => {
    const { result } = await run('{ people(filter: { minSalary: 50 }, orderBy: [SALARY], owner: "x") { id salary } }', { roles: ['hr'] });
    expect(result.errors).toBeUndefined();
    expect(result.data.people).toEqual([{ id: '1', salary: 100 }]);
  });
});

describe('@skip and @include', () => {
  test('a skipped denied field is removed, never denied', async () => {
    const { sent, result } = await run('query ($s: Boolean!) { everyone { id salary @skip(if: $s) note @include(if: false) } }', { variables: { s: true } });
    expect(sent).not.toMatch(/salary|note/);
    expect(result).toEqual({ data: { everyone: [{ id: '1' }] } });
  });

  test('the same field not skipped is denied', async () => {
    const { result } = await run('query ($s: Boolean!) { everyone { id salary @skip(if: $s) } }', { variables: { s: false } });
    expect(result.errors).toEqual([expect.objectContaining({ path: ['everyone', 0, 'salary'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
  });

  test('a skipped spread of a fragment used nowhere else leaves a valid document', async () => {
    const { sent, result } = await run('{ everyone { id ...Pay @skip(if: true) ... on Person @include(if: false) { note } } } fragment Pay on Person { salary }');
    expect(sent).not.toContain('Pay');
    expect(result).toEqual({ data: { everyone: [{ id: '1' }] } });
  });

  test('rewrites that differ by what is skipped have different signatures', async () => {
    const query = 'query ($a: Boolean!, $b: Boolean!) { everyone { id @skip(if: $a) name @skip(if: $b) } }';
    const first = await run(query, { variables: { a: true, b: false } });
    const second = await run(query, { variables: { a: false, b: true } });
    expect(first.sent).not.toBe(second.sent);
    expect(first.signature).not.toBe(second.signature);
  });
});
