import { startDomainForTest, type DomainUnderTest } from '../lib/testing';
import { products } from '.';

let domain: DomainUnderTest;
beforeAll(async () => {
  domain = await startDomainForTest(products);
});
afterAll(() => domain?.stop());

test('resolves many Product references with one SQL statement', async () => {
  const representations = Array.from({ length: 30 }, (_, i) => ({ __typename: 'Product', id: String(i + 1) }));
  domain.resetQueries();
  const result = await domain.request<{ _entities: { id: string; price: number }[] }>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id price } } }',
    { r: representations },
  );
  expect(result.data!._entities.map((p) => p.id)).toEqual(representations.map((r) => r.id));
  expect(result.data!._entities.every((p) => p.price > 0)).toBe(true);
  expect(domain.queries).toHaveLength(1);
});

test('filters by category and counts the matches', async () => {
  const result = await domain.request<any>('{ products(filter: { category: TOYS }, first: 100) { totalCount edges { node { category } } } }');
  const { totalCount, edges } = result.data.products;
  expect(edges).toHaveLength(totalCount);
  expect(edges.every((e: any) => e.node.category === 'TOYS')).toBe(true);
});
