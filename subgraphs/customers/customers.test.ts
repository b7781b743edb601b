import { startDomainForTest, type DomainUnderTest } from '../lib/testing';
import { customers } from '.';

let domain: DomainUnderTest;
beforeAll(async () => {
  domain = await startDomainForTest(customers);
});
afterAll(() => domain?.stop());

test('resolves many Customer references with one SQL statement', async () => {
  const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Customer', id: String(i + 1) }));
  domain.resetQueries();
  const result = await domain.request<{ _entities: { id: string; segment: string }[] }>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id segment } } }',
    { r: representations },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data!._entities.map((c) => c.id)).toEqual(representations.map((r) => r.id));
  expect(domain.queries).toHaveLength(1);
});

test('unknown and malformed ids resolve to null, not an error', async () => {
  const result = await domain.request('{ customer(id: "999999") { id } other: customer(id: "abc") { id } }');
  expect(result).toEqual({ data: { customer: null, other: null } });
});

test('pages through a filtered list with cursors and a total', async () => {
  const query = 'query($after: String) { customers(filter: { segment: CONSUMER }, first: 30, after: $after) { totalCount edges { node { id segment } } pageInfo { hasNextPage endCursor } } }';
  const seen: string[] = [];
  let after: string | null = null;
  let total = 0;
  for (let page = 0; page < 10; page++) {
    const result: any = await domain.request<any>(query, { after });
    const connection: any = result.data.customers;
    total = connection.totalCount;
    seen.push(...connection.edges.map((e: any) => e.node.id));
    expect(connection.edges.every((e: any) => e.node.segment === 'CONSUMER')).toBe(true);
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  expect(seen.length).toBe(total);
  expect(new Set(seen).size).toBe(total);
  expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => a - b));
});

test('a forged cursor is a clear input error', async () => {
  const result = await domain.request('{ customers(after: "nope") { totalCount } }');
  expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(result.errors?.[0].message).toMatch(/Invalid cursor/);
});
