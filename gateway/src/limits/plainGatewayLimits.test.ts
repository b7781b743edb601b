/**
 * Issue 18: in plain-gateway mode (`npm run gateway -- --supergraph F`) the limits let a realistic query of an
 * unknown graph through out of the box, and still refuse a hostile one. The graph is the public gateways
 * benchmark's (accounts, products, reviews, inventory); its query nests four lists.
 */
import { buildSchema, parse } from 'graphql';
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
