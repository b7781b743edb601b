import { ApolloServer, HeaderMap } from '@apollo/server';
import type { MeshContext } from '../context';
import { ANONYMOUS, type Principal } from '../identity/principal';
import { createLogger } from '../logger';
import { maskUnexpectedErrors } from '../plugins/maskUnexpectedErrors';
import { parseLimitsConfig } from './config';
import { principalWith } from './testing';
import { maxBodyBytesFor, useOperationLimits } from './useOperationLimits';

const typeDefs = `#graphql
  type Query { orders(first: Int = 20): [Order!]! order(id: ID!): Order }
  type Order { id: ID! customer: Customer! lines: [Line!]! }
  type Customer { id: ID! name: String! orders(first: Int = 20): [Order!]! }
  type Line { amount: Float! product: Product! }
  type Product { name: String! }
`;

/** Every resolver call, to prove that a rejected operation runs nothing. */
const calls: string[] = [];
const orders = (_: unknown, { first }: { first: number }) => {
  calls.push('orders');
  return Array.from({ length: Math.min(first, 3) }, (_, i) => ({ id: String(i) }));
};
const resolvers = {
  Query: { orders, order: (_: unknown, { id }: { id: string }) => ({ id }) },
  Order: { customer: () => ({ id: 'c1', name: 'Ada' }), lines: () => [{ amount: 1, product: { name: 'Pen' } }] },
  Customer: { orders },
};

const config = parseLimitsConfig({
  byRole: {
    analyst: { maxDepth: 4, maxAliases: 2, maxCost: 500 },
    service: { maxDepth: 10, maxCost: 100_000, maxBodyBytes: 4_194_304 },
  },
});

const contextFor = (principal?: Principal): MeshContext =>
  ({ principal, requestId: 'test', client: {}, _shield: { cache: {} }, cache: {} }) as MeshContext;

let server: ApolloServer<MeshContext>;
beforeAll(async () => {
  server = new ApolloServer<MeshContext>({
    typeDefs,
    resolvers,
    plugins: [useOperationLimits(config)],
    // The gateway's own error policy, in production: limit errors must come through it unmasked.
    formatError: maskUnexpectedErrors('production', createLogger('silent')),
  });
  await server.start();
});
afterAll(() => server.stop());
beforeEach(() => (calls.length = 0));

async function run(query: string, principal?: Principal, variables?: Record<string, unknown>, operationName?: string) {
  const response = await server.executeOperation({ query, variables, operationName }, { contextValue: contextFor(principal) });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return { status: response.http.status ?? 200, ...response.body.singleResult };
}

// depth 6 (orders, customer, orders, lines, product, name), 3 aliases, cost 1 + 100 x (1 + 1 + 2 x (1 + 20)) = 4401
const HEAVY = 'query Heavy { a: orders(first: 100) { id b: id c: id customer { orders(first: 2) { lines { product { name } } } } } }';

test('over several limits: HTTP 400, one error per limit, naming the role, and nothing executes', async () => {
  const result = await run(HEAVY, principalWith(['analyst']));
  expect(result.status).toBe(400);
  expect(result.data).toBeUndefined();
  expect(result.errors).toEqual([
    {
      message: 'The query uses 3 aliases, more than the limit of 2 for your role (analyst)',
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxAliases', max: 2, actual: 3 },
    },
    {
      message: 'Query depth 6 exceeds the limit of 4 for your role (analyst)',
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxDepth', max: 4, actual: 6 },
    },
    {
      message: 'Estimated query cost 4401, assuming list sizes Query.orders 100 (its size argument), Customer.orders 2 (its size argument), Order.lines 20 (defaultListSize), exceeds the limit of 500 for your role (analyst)',
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxCost', max: 500, actual: 4401 },
    },
  ]);
  expect(calls).toEqual([]);
});

test('the same query passes for a role with higher limits (and for both roles together)', async () => {
  for (const roles of [['service'], ['analyst', 'service']]) {
    const result = await run(HEAVY, principalWith(roles));
    expect(result.errors).toBeUndefined();
    expect(result.status).toBe(200);
    expect((result.data as { a: unknown[] }).a).toHaveLength(3);
  }
  expect(calls.length).toBeGreaterThan(0);
});

test("the cost uses the request's variables", async () => {
  const query = 'query Lines($n: Int) { orders(first: $n) { lines { product { name } } } }';
  // 1 + n x (1 + 20): 106 for 5, 2101 for 100
  expect((await run(query, principalWith(['analyst']), { n: 5 })).errors).toBeUndefined();
  const over = await run(query, principalWith(['analyst']), { n: 100 });
  expect(over.status).toBe(400);
  expect(over.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ limit: 'maxCost', actual: 2101 }) })]);
});

test('only the operation that runs is measured', async () => {
  const document = `${HEAVY} query Light { orders(first: 1) { id } }`;
  expect((await run(document, principalWith(['analyst']), {}, 'Light')).errors).toBeUndefined();
  expect((await run(document, principalWith(['analyst']), {}, 'Heavy')).status).toBe(400);
});

test('default limits for principals whose roles override nothing, and for a context without a principal', async () => {
  const eleven = `{ ${Array.from({ length: 11 }, (_, i) => `o${i}: order(id: "${i}") { id }`).join(' ')} }`;
  const viewer = await run(eleven, principalWith(['viewer']));
  expect(viewer.status).toBe(400);
  expect(viewer.errors?.map((error) => error.message)).toEqual(['The query asks for 11 top-level fields, more than the limit of 10 for your role (viewer)']);
  const anonymous = await run(eleven, undefined);
  expect(anonymous.errors?.map((error) => error.message)).toEqual(['The query asks for 11 top-level fields, more than the limit of 10 for anonymous requests']);
  expect((await run(eleven, ANONYMOUS)).status).toBe(400);
  expect(calls).toEqual([]);
});

test('over HTTP: status 400 and a GraphQL body listing every violation', async () => {
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: 'POST',
      headers: new HeaderMap([['content-type', 'application/json']]),
      search: '',
      body: { query: HEAVY },
    },
    context: async () => contextFor(principalWith(['analyst'])),
  });
  expect(response.status).toBe(400);
  if (response.body.kind !== 'complete') throw new Error('expected a complete body');
  const body = JSON.parse(response.body.string);
  expect(body.errors.map((error: { extensions: { limit: string } }) => error.extensions.limit)).toEqual(['maxAliases', 'maxDepth', 'maxCost']);
  expect(body.errors.every((error: { extensions: object }) => !('http' in error.extensions))).toBe(true);
});

test('maxBodyBytesFor gives the HTTP layer the most generous body limit of the principal', () => {
  expect(maxBodyBytesFor(config, principalWith(['analyst']))).toBe(1_048_576);
  expect(maxBodyBytesFor(config, principalWith(['analyst', 'service']))).toBe(4_194_304);
  expect(maxBodyBytesFor(config, ANONYMOUS)).toBe(1_048_576);
});
