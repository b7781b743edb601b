/**
 * Issue 17 §1: the same field repeated cannot stall the gateway. Before,
 * `{ products(first: 1) { totalCount totalCount ... } }` with 6,000 copies
 * (66 KB, anonymous) blocked the event loop for 16 s, /health included:
 * graphql-js's OverlappingFieldsCanBeMergedRule compares every pair of fields
 * sharing a response name, and Apollo Server ran it before the operation
 * limits. Now the limits run first (this one: the fields after fragment
 * expansion; a body at the body limit: the parser's token limit), and
 * validation is linear: even with limits raised so that 20,000 copies are
 * validated, the answer is quick, and conflicts are still reported.
 */
import type { RunningGateway } from '../../gateway/src';
import { queryGateway, startExtraGateway, startMesh, type TestMesh } from '../harness';
import { firstError, repeat, timed, underAttack } from './hostileRequests';

let mesh: TestMesh;
/** Limits raised far enough that huge repeated selections reach validation. */
let raised: RunningGateway;
beforeAll(async () => {
  mesh = await startMesh();
  raised = await startExtraGateway(mesh, { limits: { default: { maxExpandedFields: 100_000, maxTokens: 200_000, maxCost: 10_000_000, maxAliases: 100_000 } } });
}, 120_000);
afterAll(async () => {
  await raised?.stop();
  await mesh?.stop();
});

const copies = (count: number) => `{ products(first: 1) { ${repeat(count, () => 'totalCount')} } }`;

test('6,000 copies of one field: 400 naming the expanded-size limit, at once, and /health keeps answering while 8 run', async () => {
  const { answers, ms, worstHealthMs } = await underAttack(mesh, copies(6000));
  for (const answer of answers) {
    expect(answer.status).toBe(400);
    expect(firstError(answer)?.extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxExpandedFields', max: 2000, actual: 6001 });
    expect(firstError(answer)?.message).toBe('The query has 6001 fields once its fragments are expanded, more than the limit of 2000 for anonymous requests');
  }
  // Before: 16 s for one. Generous bounds for a loaded 2-core machine.
  expect(ms).toBeLessThan(4000);
  expect(worstHealthMs).toBeLessThan(2000);
});

test('a body at the body limit of one field repeated: 400 at the token limit, the parser stops there', async () => {
  const query = copies(95_000); // 1,045,000 bytes
  const { answers, ms, worstHealthMs } = await underAttack(mesh, query);
  for (const answer of answers) {
    expect(answer.status).toBe(400);
    expect(firstError(answer)?.extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxTokens', max: 10_000, actual: 10_001 });
  }
  expect(ms).toBeLessThan(5000);
  expect(worstHealthMs).toBeLessThan(2500);
});

test('validation itself is linear: 20,000 copies within raised limits are answered quickly', async () => {
  const { value, ms } = await timed(() => queryGateway(raised.url, copies(20_000)));
  expect(value.body.errors).toBeUndefined();
  expect(value.status).toBe(200);
  expect(typeof value.body.data.products.totalCount).toBe('number');
  // Quadratic validation would compare 200 million pairs (minutes).
  expect(ms).toBeLessThan(10_000);
});

test('the same response name for different arguments is still a conflict, reported quickly however many copies', async () => {
  const query = `{ ${repeat(10_000, (i) => `x: products(first: ${i % 2}) { totalCount }`)} }`;
  const { value, ms } = await timed(() => queryGateway(raised.url, query));
  expect(value.status).toBe(400);
  expect(value.body.errors?.[0]).toMatchObject({
    message: 'Fields "x" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.',
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });
  // Before: more than 4 minutes and 4 GB for one request.
  expect(ms).toBeLessThan(10_000);
});

test('a conflict hidden among thousands of identical selections and in sub-selections is found', async () => {
  const query = `{ products(first: 1) { ${repeat(10_000, () => 'edges { node { name } }')} edges { node { name: id } } } }`;
  const { value, ms } = await timed(() => queryGateway(raised.url, query));
  expect(value.status).toBe(400);
  expect(value.body.errors?.map((error) => error.message)).toContain(
    'Fields "edges" conflict because subfields "node" conflict because subfields "name" conflict because "name" and "id" are different fields. Use different aliases on the fields to fetch both if this was intentional.',
  );
  expect(ms).toBeLessThan(10_000);
});

test('many different sub-selections of one field within the default limits are valid and quick', async () => {
  const variants = ['totalCount', 'edges { cursor }', 'edges { node { __typename } }', 'edges { node { name } }', 'pageInfo { hasNextPage }'];
  const query = `{ ${repeat(300, (i) => `products(first: 1) { ${variants[i % 5]} ${variants[(i * 3 + 1) % 5]} }`)} }`;
  const { value, ms } = await timed(() => queryGateway(mesh.gateway.url, query));
  expect(value.body.errors).toBeUndefined();
  expect(value.body.data.products.edges).toHaveLength(1);
  expect(ms).toBeLessThan(10_000);
});
