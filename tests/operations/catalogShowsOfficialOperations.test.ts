/**
 * Issue 14: the catalog shows, for each data product, the official operations
 * that read its own fields, with their owners, roles and the fields they use
 * (entity keys a product merely shares do not count), on the same endpoint
 * and under the same policy as the rest of the catalog.
 */
import type { TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { official, post, startOfficialMesh } from './officialMesh';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startOfficialMesh();
}, 120_000);
afterAll(() => mesh?.stop());

test('each product lists the official operations that read it, with owner, id and the fields used', async () => {
  const answer = await post(mesh.gateway.url, ANALYST, { query: '{ dataProducts { subgraph officialOperations { id name type owner description file roles fields } } }' });
  expect(answer.body.errors).toBeUndefined();
  const bySubgraph = Object.fromEntries(answer.body.data.dataProducts.map((product: any) => [product.subgraph, product.officialOperations]));
  const names = (subgraph: string) => bySubgraph[subgraph].map((operation: any) => operation.name).sort();
  expect(names('marketing')).toEqual(['CustomerRisk', 'Revenue', 'RevenueNextPage']);
  expect(names('logistics')).toEqual(['LateDeliveries']);
  expect(names('finance')).toEqual(expect.arrayContaining(['CustomerRisk', 'CustomerTransactions']));
  expect(names('sales')).toEqual(expect.arrayContaining(['Revenue', 'UpdateOrderStatus']));
  const revenue = bySubgraph.marketing.find((operation: any) => operation.name === 'Revenue');
  expect(revenue).toEqual({
    id: (await official('Revenue')).id,
    name: 'Revenue',
    type: 'query',
    owner: 'marketing',
    description: expect.stringMatching(/^Revenue by marketing campaign and customer segment/),
    file: 'marketing/Revenue.graphql',
    roles: ['analyst', 'service'],
    fields: expect.arrayContaining(['Query.campaignPerformance', 'CampaignPerformance.conversionCount']),
  });
  // Order.id is an entity key several domains resolve: it is not counted among logistics' own fields.
  expect(bySubgraph.logistics[0].fields).not.toContain('Order.id');
});

test('anonymous principals see no catalog, official operations included', async () => {
  const answer = await post(mesh.gateway.url, null, { query: '{ dataProducts { officialOperations { name } } }' });
  expect(answer.body.data?.dataProducts ?? null).toBeNull();
  expect(answer.body.errors[0].extensions.code).toBe('FORBIDDEN');
});
