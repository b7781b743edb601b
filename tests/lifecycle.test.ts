/**
 * Data-product lifecycle end to end (issue #5), with descriptors changed for the
 * test only (the subgraphs serve them from their status endpoint; no file in
 * the repository changes): a draft is hidden outside development mode, a
 * deprecated product's fields are marked deprecated and every response that
 * uses them carries a warning, a retired product is removed from the graph. The
 * domains' policies for products left out are set aside, so the gateway starts.
 */
import { developmentJwtConfig } from '../gateway/src/identity/config';
import { domainNamed } from '../subgraphs';
import { loadDescriptor, type DataProductDescriptor } from '../subgraphs/lib/descriptor';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ANALYST, FINANCE_TEAM } from './principals';

const descriptorOf = (domain: string, changes: Partial<DataProductDescriptor>): DataProductDescriptor => {
  const outcome = loadDescriptor(domainNamed(domain).dir);
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  return { ...outcome.descriptor, ...changes };
};

const LIFECYCLE = {
  finance: descriptorOf('finance', { status: 'draft' }),
  marketing: descriptorOf('marketing', { status: 'deprecated', deprecation: { reason: 'attribution moves to the growth product', replacedBy: 'growth', sunset: '2027-06-30' } }),
  logistics: descriptorOf('logistics', { status: 'retired', deprecation: { reason: 'shipments moved to the carrier platform' } }),
};
const REASON = 'Data product marketing is deprecated: attribution moves to the growth product; use growth instead; it will be retired on 2027-06-30';

describe('in production mode', () => {
  const JWT_SECRET = 'lifecycle-test-jwt-secret-0123456789abcdef';
  let mesh: TestMesh;
  beforeAll(async () => {
    mesh = await startMesh({
      descriptors: LIFECYCLE,
      gateway: { mode: 'production', identity: { jwt: developmentJwtConfig({ MESHGATE_JWT_SECRET: JWT_SECRET }) } },
    });
  });
  afterAll(() => mesh?.stop());
  const asAnalyst = async (query: string) => mesh.query(query, undefined, await tokenFor({ ...ANALYST, secret: JWT_SECRET }));

  test('a draft product is not in the graph, nor in the catalog', async () => {
    const { status, body } = await asAnalyst('{ anomalousTransactions(first: 1) { totalCount } }');
    expect(status).toBe(400);
    expect(body.errors![0]).toMatchObject({ message: 'Cannot query field "anomalousTransactions" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const catalog = await asAnalyst('{ dataProducts { id } draft: dataProduct(id: "finance") { id } }');
    expect(catalog.body.data.dataProducts.map((product: any) => product.id)).not.toContain('finance');
    expect(catalog.body.data.draft).toBeNull();
  });

  test('a retired product is removed from the graph and listed as retired, with no fields', async () => {
    const { status, body } = await asAnalyst('{ carriers { name } }');
    expect(status).toBe(400);
    expect(body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // Orders still answer without their shipment.
    expect((await asAnalyst('{ orders(first: 1) { edges { node { id total } } } }')).body.data.orders.edges).toHaveLength(1);
    const catalog = await asAnalyst('{ dataProduct(id: "logistics") { status inSupergraph deprecation { reason } types { name } } }');
    expect(catalog.body.data.dataProduct).toEqual({ status: 'RETIRED', inSupergraph: false, deprecation: { reason: 'shipments moved to the carrier platform' }, types: [] });
  });

  test('a response that uses a deprecated product carries a warning naming the product and the fields used', async () => {
    const { body } = await asAnalyst(`{
      campaigns(first: 2) { edges { node { name channel } } pageInfo { hasNextPage } }
      orders(first: 2) { edges { node { id ...Attribution } } }
    }
    fragment Attribution on Order { campaign { name } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.campaigns.edges).toHaveLength(2);
    expect(body.extensions?.warnings).toEqual([
      {
        code: 'DEPRECATED_DATA_PRODUCT',
        product: 'marketing',
        fields: ['Campaign.channel', 'Campaign.name', 'CampaignConnection.edges', 'CampaignConnection.pageInfo', 'CampaignEdge.node', 'Order.campaign', 'Query.campaigns'],
        message: REASON,
      },
    ]);
    // PageInfo is shared with every domain (not listed above): it is not marketing's to deprecate.
  });

  test('a response that uses no deprecated field carries no warning', async () => {
    const { body } = await asAnalyst('{ orders(first: 2) { edges { node { id total customer { segment } } } } }');
    expect(body.errors).toBeUndefined();
    expect(body.extensions?.warnings).toBeUndefined();
  });

  test('the schema marks the deprecated product\'s own fields, not the keys and fields it shares', async () => {
    const { body } = await asAnalyst(`{
      query: __type(name: "Query") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } }
      order: __type(name: "Order") { fields(includeDeprecated: true) { name isDeprecated } }
    }`);
    const query = Object.fromEntries(body.data.query.fields.map((field: any) => [field.name, field]));
    expect(query.campaigns).toEqual({ name: 'campaigns', isDeprecated: true, deprecationReason: REASON });
    expect(query.orders.isDeprecated).toBe(false);
    const order = Object.fromEntries(body.data.order.fields.map((field: any) => [field.name, field.isDeprecated]));
    expect(order).toMatchObject({ campaign: true, id: false, total: false });
    const catalog = await asAnalyst('{ dataProduct(id: "marketing") { status deprecation { replacedBy sunset } types { name fields { name deprecationReason } } } }');
    const product = catalog.body.data.dataProduct;
    expect(product).toMatchObject({ status: 'DEPRECATED', deprecation: { replacedBy: 'growth', sunset: '2027-06-30' } });
    const campaign = product.types.find((type: any) => type.name === 'Campaign');
    expect(campaign.fields.find((field: any) => field.name === 'name').deprecationReason).toBe(REASON);
    expect(campaign.fields.find((field: any) => field.name === 'id').deprecationReason).toBeNull();
  });
});

describe('in development mode', () => {
  let mesh: TestMesh;
  beforeAll(async () => {
    mesh = await startMesh({ descriptors: { finance: LIFECYCLE.finance } });
  });
  afterAll(() => mesh?.stop());

  test('a draft product is in the graph and in the catalog, marked draft', async () => {
    const headers = await tokenFor(FINANCE_TEAM);
    const { body } = await mesh.query('{ anomalousTransactions(first: 1) { totalCount } dataProduct(id: "finance") { status inSupergraph } }', undefined, headers);
    expect(body.errors).toBeUndefined();
    expect(body.data.anomalousTransactions.totalCount).toBeGreaterThan(0);
    expect(body.data.dataProduct).toEqual({ status: 'DRAFT', inSupergraph: true });
  });
});
