/**
 * Issue 18: in plain-gateway mode (`npm run gateway -- --supergraph F`) the limits let a realistic query of an
 * unknown graph through out of the box, and still refuse a hostile one. The graph is the public gateways
 * benchmark's (accounts, products, reviews, inventory); its query nests four lists.
 */
import { composeServices } from '@apollo/composition';
import { buildSchema, parse } from 'graphql';
import { registerListSizes } from './listSizeDirectives';
import { operationLimitErrors } from './useOperationLimits';
import { parseLimitsConfig, withPlainGatewayDefaults } from './config';
import { ANONYMOUS } from '../identity/principal';

const schema = buildSchema(`
  type Query { me: User users: [User] user(id: ID!): User topProducts(first: Int = 5): [Product] }
  type User { id: ID! name: String username: String reviews: [Review] }
  type Review { id: ID! body: String author: User product: Product }
  type Product { upc: String! name: String price: Int weight: Int inStock: Boolean shippingEstimate: Int reviews: [Review] }
`);

const FRAGMENTS = `
  fragment User on User { id username name }
  fragment Review on Review { id body }
  fragment Product on Product { inStock name price shippingEstimate upc weight }`;

const BENCHMARK_QUERY = `${FRAGMENTS}
  query TestQuery {
    users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } } } }
    topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
  }`;

/** Six nested lists of unknown size. */
const HOSTILE_QUERY = `${FRAGMENTS}
  { users { reviews { product { reviews { author { reviews { product { reviews { author { reviews { product { reviews { ...Review } } } } } } } } } } } } }`;

const errorsFor = (limitsSection: unknown, source: string) => operationLimitErrors(parseLimitsConfig(limitsSection), ANONYMOUS, { document: parse(source), schema });

test('the benchmark query is served by the plain gateway (it was refused at cost 179,027 with 20 assumed per list)', () => {
  expect(errorsFor(withPlainGatewayDefaults(undefined), BENCHMARK_QUERY)).toEqual([]);
  const before = errorsFor(undefined, BENCHMARK_QUERY);
  expect(before.map((error) => error.message)).toEqual([
    'Estimated query cost 179027, assuming list sizes Query.users 20 (defaultListSize), User.reviews 20 (defaultListSize), Product.reviews 20 (defaultListSize), Query.topProducts 5 (its size argument), exceeds the limit of 50000 for anonymous requests',
  ]);
});

test('six nested lists are still refused, naming the sizes assumed', () => {
  const errors = errorsFor(withPlainGatewayDefaults(undefined), HOSTILE_QUERY);
  // Its depth (13) is over the limit too: one error per limit.
  const error = errors.find((candidate) => candidate.extensions.limit === 'maxCost')!;
  expect(error.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxCost', max: 50000 });
  expect(error.message).toMatch(/^Estimated query cost \d+, assuming list sizes Query.users 10 \(defaultListSize\), User.reviews 10 \(defaultListSize\), Product.reviews 10 \(defaultListSize\), exceeds the limit of 50000 for anonymous requests$/);
});

test('the config given wins, key by key', () => {
  expect(parseLimitsConfig(withPlainGatewayDefaults({ default: { defaultListSize: 3, maxCost: 100 } })).default).toMatchObject({ defaultListSize: 3, maxCost: 100 });
  expect(parseLimitsConfig(withPlainGatewayDefaults({ default: { maxCost: 100 }, byRole: { bi: { maxCost: 1 } } }))).toMatchObject({ default: { defaultListSize: 10, maxCost: 100 }, byRole: { bi: { maxCost: 1 } } });
  expect(() => parseLimitsConfig(withPlainGatewayDefaults({ default: { defaultListSize: -1 } }))).toThrow(/limits\.default\.defaultListSize/);
});

test("a supergraph's @listSize (assumedSize, slicingArguments) sizes its lists, and the error says so", () => {
  const composed = composeServices([
    {
      name: 'reviews',
      url: 'http://127.0.0.1:1/graphql',
      typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@listSize"])
        type Query { users(first: Int, limit: Int): [User] @listSize(slicingArguments: ["limit", "first"], requireOneSlicingArgument: false) topProducts(first: Int = 5): [Product] }
        type User @key(fields: "id") { id: ID! name: String username: String reviews: [Review] @listSize(assumedSize: 4) }
        type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int inStock: Boolean shippingEstimate: Int reviews: [Review] @listSize(assumedSize: 3) }
        type Review { id: ID! body: String author: User product: Product }`),
    },
  ]);
  const supergraphSdl = composed.supergraphSdl!;
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('; '));
  const apiSchema = composed.schema.toAPISchema().toGraphQLJSSchema();
  registerListSizes(apiSchema, supergraphSdl);
  const config = parseLimitsConfig({ default: { maxCost: 10 } });
  const messages = (source: string) => operationLimitErrors(config, ANONYMOUS, { document: parse(source), schema: apiSchema }).map((error) => error.message);
  expect(messages(`{ users(limit: 7) { reviews { product { reviews { id } } } } }`)).toEqual([
    // users 1 + 7 x (reviews 1 + 4 x (product 1 + reviews 1))
    'Estimated query cost 64, assuming list sizes Query.users 7 (@listSize slicingArguments), User.reviews 4 (@listSize assumedSize), Product.reviews 3 (@listSize assumedSize), exceeds the limit of 10 for anonymous requests',
  ]);
  // Either slicing argument; without any, the default size.
  expect(messages(`{ users(first: 2) { reviews { product { reviews { id } } } } }`)[0]).toMatch(/Query.users 2 \(@listSize slicingArguments\)/);
  expect(messages(`{ users { reviews { product { id } } } }`)[0]).toMatch(/Query.users 20 \(defaultListSize\)/);
  // With the graph's own sizes, the benchmark query passes even at 20 per unknown list.
  expect(operationLimitErrors(parseLimitsConfig({}), ANONYMOUS, { document: parse(BENCHMARK_QUERY.replace('users {', 'users(limit: 10) {')), schema: apiSchema })).toEqual([]);
});
