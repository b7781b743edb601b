/**
 * Data-product lifecycle at composition (issue #5): which subgraphs a status
 * leaves out, and which fields a deprecation marks, on the repository's domains.
 */
import { domains } from '../../../subgraphs';
import { loadDescriptor, type DataProductDescriptor } from '../../../subgraphs/lib/descriptor';
import { apiSchemaOf as apiSchemaOfSupergraph } from '../../../schema/breakingChanges';
import { composeOrThrow } from '../../../schema/compose';
import { deprecationReason, planLifecycle, type SubgraphSnapshot } from './lifecycle';

const snapshots = (statuses: Record<string, Partial<DataProductDescriptor>> = {}): SubgraphSnapshot[] =>
  domains.map((domain) => {
    const outcome = loadDescriptor(domain.dir);
    if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
    return { name: domain.name, url: `http://${domain.name}/graphql`, typeDefs: domain.typeDefs, descriptor: { ...outcome.descriptor, ...statuses[domain.name] } };
  });

const apiSchemaOf = (plan: ReturnType<typeof planLifecycle>) => apiSchemaOfSupergraph(composeOrThrow(plan.subgraphs));

const DEPRECATED_MARKETING = { status: 'deprecated' as const, deprecation: { reason: 'attribution moves to the growth product', replacedBy: 'growth', sunset: '2027-06-30' } };

test('active products are composed unchanged', () => {
  const plan = planLifecycle(snapshots(), 'production');
  expect(plan.excluded).toEqual([]);
  expect(plan.deprecated.size).toBe(0);
  expect(plan.subgraphs.map((subgraph) => subgraph.typeDefs)).toEqual(domains.map((domain) => domain.typeDefs));
});

test('a draft is left out outside development mode only', () => {
  const draft = snapshots({ finance: { status: 'draft' } });
  expect(planLifecycle(draft, 'production').excluded).toEqual([{ subgraph: 'finance', product: 'finance', status: 'draft' }]);
  expect(apiSchemaOf(planLifecycle(draft, 'production')).getQueryType()!.getFields().anomalousTransactions).toBeUndefined();
  expect(planLifecycle(draft, 'development').excluded).toEqual([]);
});

test('a retired product is left out in every mode, and the rest still composes', () => {
  const retired = snapshots({ logistics: { status: 'retired', deprecation: { reason: 'moved to the carrier platform' } } });
  for (const mode of ['development', 'production'] as const) {
    const plan = planLifecycle(retired, mode);
    expect(plan.excluded).toEqual([{ subgraph: 'logistics', product: 'logistics', status: 'retired' }]);
    const schema = apiSchemaOf(plan);
    expect(schema.getType('Shipment')).toBeUndefined();
    expect(schema.getType('Order')).toBeDefined();
  }
});

test('a deprecated product gets @deprecated on the fields only it defines, never on keys or shared fields', () => {
  const plan = planLifecycle(snapshots({ marketing: DEPRECATED_MARKETING }), 'production');
  const reason = 'Data product marketing is deprecated: attribution moves to the growth product; use growth instead; it will be retired on 2027-06-30';
  expect(deprecationReason({ ...snapshots()[3].descriptor!, ...DEPRECATED_MARKETING })).toBe(reason);
  const schema = apiSchemaOf(plan);
  const field = (type: string, name: string) => (schema.getType(type) as any).getFields()[name];
  // Its own root fields, types and the field it adds to another domain's entity.
  expect(field('Query', 'campaigns').deprecationReason).toBe(reason);
  expect(field('Campaign', 'name').deprecationReason).toBe(reason);
  expect(field('Order', 'campaign').deprecationReason).toBe(reason);
  // Keys and fields other subgraphs also define stay as they are; other domains' fields too.
  expect(field('Order', 'id').deprecationReason).toBeUndefined();
  expect(field('Order', 'total').deprecationReason).toBeUndefined();
  expect(field('PageInfo', 'hasNextPage').deprecationReason).toBeUndefined();
  expect(field('Campaign', 'id').deprecationReason).toBeUndefined();
  expect(plan.deprecated.get('Order.campaign')).toEqual({ product: 'marketing', reason });
  expect(plan.deprecated.has('Order.id')).toBe(false);
  expect([...plan.deprecated.values()].every((entry) => entry.product === 'marketing')).toBe(true);
});

test('a subgraph without a descriptor is composed as it is', () => {
  const plan = planLifecycle(snapshots().map((snapshot) => ({ ...snapshot, descriptor: null })), 'production');
  expect(plan.excluded).toEqual([]);
  expect(plan.deprecated.size).toBe(0);
});
