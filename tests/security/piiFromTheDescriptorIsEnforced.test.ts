/**
 * Every classification is enforced (issue 13): a field classified PII only in a
 * data product's descriptor (`pii:` in dataproduct.yaml) is guarded by the same
 * global piiRule as a field marked `@pii`: an analyst without `pii:read` gets
 * null and FORBIDDEN, the subgraph is never asked for it, and a principal with
 * `pii:read` reads it. When the descriptor and the schema disagree, the gateway
 * refuses to start and names the field.
 *
 * Before the fix, `Customer.totalSpent` classified in the sales descriptor was
 * served to the analyst, and a disagreeing descriptor started silently.
 */
import { domainNamed } from '../../subgraphs';
import { loadDescriptor, type DataProductDescriptor } from '../../subgraphs/lib/descriptor';
import { startGateway } from '../../gateway/src';
import { createLogger } from '../../gateway/src/logger';
import { startMesh, testGatewayConfig, tokenFor, type TestMesh } from '../harness';
import { ADMIN, ANALYST } from '../principals';

const descriptorOf = (domain: string, pii: Record<string, string>): DataProductDescriptor => {
  const outcome = loadDescriptor(domainNamed(domain).dir);
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  return { ...outcome.descriptor, pii: pii as DataProductDescriptor['pii'] };
};

let mesh: TestMesh;
// The sales schema marks no field @pii; its descriptor now says what a customer spent is personal financial data.
beforeAll(async () => {
  mesh = await startMesh({ descriptors: { sales: descriptorOf('sales', { 'Customer.totalSpent': 'financial' }) } });
});
afterAll(() => mesh?.stop());

describe('a field classified only in the descriptor', () => {
  const QUERY = '{ customer(id: "1") { id orderCount totalSpent } }';

  test('is denied to an analyst without pii:read and never requested from the subgraph', async () => {
    mesh.resetReceived();
    const { status, body } = await mesh.query(QUERY, undefined, await tokenFor(ANALYST));
    expect(status).toBe(200);
    // totalSpent is non-null (Float!): its null propagates to the customer, as GraphQL says.
    expect(body.data).toEqual({ customer: null });
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ['customer', 'totalSpent'], extensions: expect.objectContaining({ code: 'FORBIDDEN', rule: 'global:pii(financial)' }) }),
    ]);
    const sent = mesh.subgraphs.sales.received.map((request) => request.query ?? '').join('\n');
    expect(sent).toContain('orderCount');
    expect(sent).not.toContain('totalSpent');
  });

  test('is read by a principal with pii:read', async () => {
    const { body } = await mesh.query(QUERY, undefined, await tokenFor(ADMIN));
    expect(body.errors).toBeUndefined();
    expect(typeof body.data.customer.totalSpent).toBe('number');
  });
});

describe('a descriptor that disagrees with @pii refuses start-up, naming the field', () => {
  // A second gateway in front of the same subgraphs, composed with the given descriptors instead of dataproduct.yaml.
  const refusal = async (descriptors: Record<string, DataProductDescriptor>) => {
    const { config } = testGatewayConfig(Object.values(mesh.subgraphs), mesh.signingKey);
    try {
      const gateway = await startGateway(config, createLogger('silent'), { descriptorFor: (name) => descriptors[name] });
      await gateway.stop();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the mesh started');
  };
  const CUSTOMERS_PII = { 'Customer.name': 'identity', 'Customer.email': 'contact', 'Customer.phone': 'contact' };

  test('a different category', async () => {
    expect(await refusal({ customers: descriptorOf('customers', { ...CUSTOMERS_PII, 'Customer.phone': 'identity' }) })).toContain(
      'Customer.phone: @pii says category "contact", the customers descriptor (dataproduct.yaml) says "identity"; make them agree',
    );
  });

  test('a field marked @pii that the descriptor leaves out, and one the descriptor adds to a schema that marks PII', async () => {
    const message = await refusal({ customers: descriptorOf('customers', { 'Customer.name': 'identity', 'Customer.email': 'contact', 'Customer.city': 'location' }) });
    expect(message).toContain('Customer.phone: marked @pii(category: "contact") but the customers descriptor (dataproduct.yaml) does not classify it');
    expect(message).toContain('Customer.city: the customers descriptor (dataproduct.yaml) classifies it as PII (location) but schema.graphql does not mark it @pii');
  });
});
