/**
 * The README's examples work as written, for the principal each one names (issue 18), so the README cannot drift
 * from the schema and the policies again.
 *
 * Every fenced ```graphql block in README.md and docs/*.md whose info string names a role
 * (```graphql role=analyst) is run, verbatim, against a real mesh (subgraphs over HTTP, the gateway, the policies
 * in policies/) with that principal's development token. It must answer 200 with:
 * - no error, except FORBIDDEN at the paths the block lists (`forbidden=customer.name,anomalousTransactions`,
 *   list indices left out), and each listed path must really be denied, so a block's claim of a denial stays true;
 * - no null object or list (a null scalar is a value, like a page's `endCursor` when it is empty) except at a
 *   listed path or above it (GraphQL null propagation: a denied non-null field nulls its parent) or at a field
 *   the block lists as legitimately absent (`nullable=...`);
 * - every connection in the answer says whether it was cut off (it selects `pageInfo` or `totalCount`).
 * A block whose operation needs variables (a next page) is run by its own test below, which fails if a new
 * block of that kind has none.
 *
 * The Revenue dashboard is also checked for its sums: paging through each campaign's conversions (the README's
 * RevenueNextPage) gives, per campaign and segment, what one SQL join across the domains' tables gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { getNamedType, isLeafType, Kind, parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { startMesh, tokenFor, type GraphQLBody, type TestMesh } from './harness';
import { ACCOUNT_MANAGER, ANALYST, FINANCE_TEAM, ORDER_SERVICE } from './principals';

const ROOT = join(__dirname, '..');

/** The role names the README's blocks use, and the principal each one is (the same as the README's token commands). */
const PRINCIPALS = { analyst: ANALYST, 'finance-team': FINANCE_TEAM, 'account-manager': ACCOUNT_MANAGER, 'order-service': ORDER_SERVICE, anonymous: null } as const;
type Role = keyof typeof PRINCIPALS;

type Example = { file: string; line: number; role: Role; forbidden: string[]; nullable: string[]; source: string; operation: OperationDefinitionNode };

function examplesIn(file: string): Example[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const examples: Example[] = [];
  for (const match of text.matchAll(/^```graphql[ \t]+([^\n]*)\n([\s\S]*?)^```/gm)) {
    const attributes = Object.fromEntries(match[1].trim().split(/\s+/).map((pair) => pair.split('=') as [string, string]));
    if (!attributes.role) continue;
    const line = text.slice(0, match.index).split('\n').length;
    if (!(attributes.role in PRINCIPALS)) throw new Error(`${file}:${line}: unknown role "${attributes.role}" (known: ${Object.keys(PRINCIPALS).join(', ')})`);
    const operation = parse(match[2]).definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
    const list = (value?: string) => (value ? value.split(',') : []);
    examples.push({ file, line, role: attributes.role as Role, forbidden: list(attributes.forbidden), nullable: list(attributes.nullable), source: match[2], operation });
  }
  return examples;
}

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const examples = DOCS.flatMap(examplesIn);
const needsVariables = (example: Example) => (example.operation.variableDefinitions ?? []).some((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue);
const nameOf = (example: Example) => example.operation.name?.value ?? `${example.file}:${example.line}`;
/** Blocks that need variables, and the test below that runs them. */
const RUN_BY_THEIR_OWN_TEST = ['RevenueNextPage'];

/** A response path as the blocks write it: field names only, list indices left out. */
const pathText = (path: readonly (string | number)[]) => path.filter((key) => typeof key === 'string').join('.');

/** The response paths (as pathText writes them) of the operation's fields that hold objects or lists, not scalars. */
function objectPathsOf(schema: GraphQLSchema, example: Example): Set<string> {
  const typeInfo = new TypeInfo(schema);
  const objects = new Set<string>();
  const path: string[] = [];
  visit(
    example.operation,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          path.push(node.alias?.value ?? node.name.value);
          const type = typeInfo.getType();
          if (type && !isLeafType(getNamedType(type))) objects.add(path.join('.'));
        },
        leave() {
          path.pop();
        },
      },
    }),
  );
  return objects;
}

let apiSchema: GraphQLSchema;

/** What is wrong with an answer, as readable lines (empty when the example holds). */
function problemsOf(example: Example, status: number, body: GraphQLBody): string[] {
  const objectPaths = objectPathsOf(apiSchema, example);
  const problems: string[] = [];
  if (status !== 200) problems.push(`HTTP ${status}: ${JSON.stringify(body.errors)}`);
  const denied = new Set<string>();
  for (const error of body.errors ?? []) {
    const at = pathText(error.path ?? []);
    if (error.extensions?.code === 'FORBIDDEN' && example.forbidden.includes(at)) denied.add(at);
    else problems.push(`unexpected error at ${at || '(root)'}: ${error.extensions?.code} ${error.message}`);
  }
  for (const path of example.forbidden) if (!denied.has(path)) problems.push(`${path} is listed as forbidden but was not denied`);
  // A null is expected at a denied path, above it (null propagation), or where the block says data may be absent.
  const nullAllowed = (at: string) =>
    example.nullable.includes(at) || example.forbidden.some((path) => path === at || path.startsWith(`${at}.`) || at === '');
  const walk = (value: unknown, path: (string | number)[]) => {
    if (value === null) {
      if (objectPaths.has(pathText(path)) && !nullAllowed(pathText(path))) problems.push(`unexpected null at ${path.join('.')}`);
      return;
    }
    if (Array.isArray(value)) return value.forEach((item, index) => walk(item, [...path, index]));
    if (typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    if ('edges' in object && !('pageInfo' in object) && !('totalCount' in object)) {
      problems.push(`the connection at ${path.join('.')} does not say whether it was cut off: select pageInfo { hasNextPage } or totalCount`);
    }
    for (const [key, child] of Object.entries(object)) walk(child, [...path, key]);
  };
  walk(body.data ?? null, []);
  return problems;
}

let mesh: TestMesh;
const headersOf = async (role: Role): Promise<Record<string, string>> => {
  const principal = PRINCIPALS[role];
  return principal ? tokenFor(principal) : {};
};
beforeAll(async () => {
  mesh = await startMesh();
  // The API schema the gateway serves, to tell objects from scalars in an answer.
  apiSchema = Supergraph.build(mesh.gateway.supergraph!.current.supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
});
afterAll(() => mesh?.stop());

test('the README has role-marked examples, each naming a known role', () => {
  expect(examples.filter((example) => example.file === 'README.md').length).toBeGreaterThanOrEqual(3);
  for (const example of examples.filter(needsVariables)) expect({ example: nameOf(example), runBy: RUN_BY_THEIR_OWN_TEST.includes(nameOf(example)) }).toEqual({ example: nameOf(example), runBy: true });
});

test.each(examples.filter((example) => !needsVariables(example)).map((example) => [`${example.file}:${example.line} ${nameOf(example)} as ${example.role}`, example] as const))(
  '%s works as written',
  async (_, example) => {
    const { status, body } = await mesh.query(example.source, undefined, await headersOf(example.role));
    expect({ example: nameOf(example), problems: problemsOf(example, status, body) }).toEqual({ example: nameOf(example), problems: [] });
  },
);

test("the Revenue dashboard's sums are complete: paging each campaign's conversions gives the SQL join's revenue per campaign and segment", async () => {
  const revenue = examples.find((example) => nameOf(example) === 'Revenue')!;
  const nextPage = examples.find((example) => nameOf(example) === 'RevenueNextPage')!;
  expect(revenue && nextPage).toBeTruthy();
  const headers = await headersOf(revenue.role);
  const from = '2026-01-01T00:00:00Z';
  const to = '2026-07-01T00:00:00Z';
  expect(revenue.source).toContain(`from: "${from}", to: "${to}"`);
  expect(nextPage.source).toContain(`from: "${from}", to: "${to}"`);

  /** The dashboard as the README describes it, with pages of `first` conversions. */
  async function dashboard(first?: number) {
    const sums = new Map<string, number>();
    const add = (campaign: string, edges: any[]) => {
      for (const { node } of edges) {
        if (node.order.status === 'CANCELLED' || node.order.status === 'RETURNED') continue;
        const key = `${campaign}/${node.order.customer.segment}`;
        sums.set(key, (sums.get(key) ?? 0) + node.order.total);
      }
    };
    const { status, body } = await mesh.query(revenue.source, first ? { first } : undefined, headers);
    expect(problemsOf(revenue, status, body)).toEqual([]);
    let pagesFollowed = 0;
    for (const row of body.data.campaignPerformance) {
      let { conversions } = row;
      expect(conversions.totalCount).toBe(row.conversionCount);
      let seen = conversions.edges.length;
      add(row.campaign.id, conversions.edges);
      while (conversions.pageInfo.hasNextPage) {
        const next = await mesh.query(nextPage.source, { campaign: row.campaign.id, after: conversions.pageInfo.endCursor, ...(first ? { first } : {}) }, headers);
        expect(problemsOf(nextPage, next.status, next.body)).toEqual([]);
        conversions = next.body.data.campaign.conversions;
        seen += conversions.edges.length;
        add(row.campaign.id, conversions.edges);
        pagesFollowed++;
      }
      expect(seen).toBe(row.conversionCount);
    }
    return { sums, pagesFollowed };
  }

  const truth = await mesh.db.query<{ campaign_id: number; segment: string; revenue: number }>(
    `SELECT cv.campaign_id, cu.segment, sum(o.total)::float8 AS revenue
       FROM marketing.conversion cv
       JOIN sales.orders o ON o.id = cv.order_id
       JOIN customers.customer cu ON cu.id = o.customer_id
      WHERE cv.converted_at >= $1 AND cv.converted_at < $2 AND o.status NOT IN ('CANCELLED', 'RETURNED')
      GROUP BY 1, 2`,
    [from, to],
  );
  expect(truth.length).toBeGreaterThan(3);
  // As written (pages of 500), and with pages of 3 so that following the cursors is exercised at the test's scale.
  for (const first of [undefined, 3]) {
    const { sums, pagesFollowed } = await dashboard(first);
    if (first) expect(pagesFollowed).toBeGreaterThan(0);
    expect([...sums.keys()].sort()).toEqual(truth.map((row) => `${row.campaign_id}/${row.segment}`).sort());
    for (const row of truth) expect(sums.get(`${row.campaign_id}/${row.segment}`)).toBeCloseTo(row.revenue, 2);
  }
});
