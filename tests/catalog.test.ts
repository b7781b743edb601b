/**
 * The data-product catalog end to end (issue #5): the catalog subgraph runs in
 * the gateway and composes with the domains; `dataProducts` / `dataProduct`
 * show owner, status, SLA and whether it is met, live freshness from each
 * subgraph, the last quality results, the fields each product contributes,
 * which are PII and which rules guard them; quality rules run on demand through
 * an authenticated endpoint, inside the owning subgraph, and reach /metrics.
 */
import { domains } from '../subgraphs';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN, ANALYST, FINANCE_TEAM } from './principals';

let mesh: TestMesh;
beforeAll(async () => {
  // No status cache: each assertion sees what the subgraphs report now.
  mesh = await startMesh({ gateway: { catalog: { statusCacheMs: 0 } } });
});
afterAll(() => mesh?.stop());

const as = async (principal: Parameters<typeof tokenFor>[0] | null, query: string, variables?: Record<string, unknown>) =>
  mesh.query(query, variables, principal ? await tokenFor(principal) : {});

const ids = (products: { id: string }[]) => products.map((product) => product.id).sort();

const runQuality = async (product: string, principal: Parameters<typeof tokenFor>[0] | null) => {
  const response = await fetch(new URL(`/catalog/quality/run?product=${product}`, mesh.gateway.url), { method: 'POST', headers: principal ? await tokenFor(principal) : {} });
  return { status: response.status, body: (await response.json()) as any };
};

test('every data product is listed with its owner, status, version and SLA; the catalog itself is not a product', async () => {
  const { status, body } = await as(
    ANALYST,
    '{ dataProducts { id name domain subgraph version status inSupergraph owner { team contact } sla { availability latencyP95Ms freshness retention available met breaches } freshness { met } } }',
  );
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(ids(body.data.dataProducts)).toEqual(domains.map((domain) => domain.name).sort());
  expect(body.data.dataProducts.find((product: any) => product.id === 'sales')).toEqual({
    id: 'sales',
    name: 'Orders',
    domain: 'sales',
    subgraph: 'sales',
    version: '1.0.0',
    status: 'ACTIVE',
    inSupergraph: true,
    owner: { team: 'Sales Domain Team', contact: 'sales-team@meshgate.example' },
    sla: expect.objectContaining({ availability: '99.9%', latencyP95Ms: 150, freshness: 'PT15M', retention: 'P10Y', available: true }),
    freshness: expect.any(Object),
  });
  // No quality run yet: the SLA is breached if the data is stale, and cannot be told otherwise.
  const sales = body.data.dataProducts.find((product: any) => product.id === 'sales');
  if (sales.freshness.met) expect(sales.sla).toMatchObject({ met: null, breaches: [] });
  else expect(sales.sla).toMatchObject({ met: false, breaches: [expect.stringMatching(/^the newest record is .* old; the SLA allows PT15M$/)] });
});

test('anonymous principals cannot read the catalog', async () => {
  const { body } = await as(null, '{ dataProducts { id } }');
  expect(body.data).toEqual({ dataProducts: null });
  expect(body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'authentication required' });
});

test('freshness is live: the newest record as the owning subgraph measures it now', async () => {
  const { body } = await as(ANALYST, '{ dataProduct(id: "sales") { freshness { newestRecordAt lagSeconds targetSeconds met measuredOn checkedAt } } }');
  const [{ latest }] = await mesh.db.query<{ latest: Date }>('SELECT max(updated_at) AS latest FROM sales.orders');
  const freshness = body.data.dataProduct.freshness;
  expect(freshness).toMatchObject({ newestRecordAt: new Date(latest).toISOString(), targetSeconds: 900, measuredOn: ['sales.orders.updated_at'] });
  expect(freshness.lagSeconds).toBeCloseTo((Date.parse(freshness.checkedAt) - new Date(latest).getTime()) / 1000, -1);
  expect(freshness.met).toBe(freshness.lagSeconds <= 900);
});

test('a product shows the types and fields it contributes, which fields are PII and the rules that guard them', async () => {
  const query = `query ($id: ID!) { dataProduct(id: $id) {
    types { name fields { coordinate type pii sharedWith guardedBy { label rule } } }
    piiFields { coordinate pii guardedBy { label rule } }
  } }`;
  const customers = (await as(ANALYST, query, { id: 'customers' })).body.data.dataProduct;
  const field = (coordinate: string) => customers.types.flatMap((type: any) => type.fields).find((f: any) => f.coordinate === coordinate);
  expect(field('Customer.email')).toEqual({
    coordinate: 'Customer.email',
    type: 'String',
    pii: 'contact',
    sharedWith: [],
    guardedBy: [
      { label: 'global:pii(contact)', rule: 'hasScope(pii:read)' },
      expect.objectContaining({ label: expect.stringMatching(/^customers:Customer\./) }),
      // The account managers' row scope, declared once on the entity (policies/customers.ts).
      { label: 'customers:rowScope(ownCustomersOfAccountManagers)', rule: 'or(rowScope(ownCustomersOfAccountManagers), not(hasRole(account-manager)))' },
    ],
  });
  // The entity key is resolved by every domain that extends Customer.
  expect(field('Customer.id').sharedWith).toEqual(expect.arrayContaining(['sales', 'finance']));
  expect(customers.piiFields.map((f: any) => f.coordinate)).toEqual(expect.arrayContaining(['Customer.name', 'Customer.email', 'Customer.phone']));
  expect(customers.piiFields.every((f: any) => f.guardedBy.some((guard: any) => guard.rule === 'hasScope(pii:read)'))).toBe(true);

  // Sales contributes Customer.orders to a type customers owns, and no personal data.
  const sales = (await as(ANALYST, query, { id: 'sales' })).body.data.dataProduct;
  const salesCustomer = sales.types.find((type: any) => type.name === 'Customer');
  expect(salesCustomer.fields.map((f: any) => f.coordinate)).toEqual(expect.arrayContaining(['Customer.id', 'Customer.orders']));
  expect(salesCustomer.fields.map((f: any) => f.coordinate)).not.toContain('Customer.email');
  expect(sales.piiFields).toEqual([]);
});

test('search by name, domain, tag and field', async () => {
  const search = async (args: string) => ids((await as(ANALYST, `{ dataProducts(${args}) { id } }`)).body.data.dataProducts);
  expect(await search('search: "orders"')).toContain('sales');
  expect(await search('search: "Customer.email"')).toEqual(['customers']);
  expect(await search('search: "anomaly"')).toEqual(['finance']);
  expect(await search('domain: "logistics"')).toEqual(['logistics']);
  expect(await search('tag: "revenue"')).toContain('sales');
  expect(await search('status: ACTIVE')).toHaveLength(domains.length);
  expect(await search('status: RETIRED')).toEqual([]);
  expect(await search('search: "no such thing anywhere"')).toEqual([]);
  const { body } = await as(ANALYST, '{ dataProduct(id: "nope") { id } }');
  expect(body.data).toEqual({ dataProduct: null });
});

test('quality rules run on demand through the gateway, inside the owning subgraph, for its domain or the quality:run scope', async () => {
  expect((await runQuality('finance', null)).status).toBe(401);
  const denied = await runQuality('finance', ANALYST);
  expect(denied.status).toBe(403);
  expect(denied.body.errors[0].message).toContain('requires membership of the finance domain or the quality:run scope');
  expect((await runQuality('nope', FINANCE_TEAM)).status).toBe(404);

  mesh.resetReceived();
  const ran = await runQuality('finance', FINANCE_TEAM);
  expect(ran.status).toBe(200);
  expect(ran.body).toMatchObject({ product: 'finance', domain: 'finance', passed: true, results: expect.any(Array) });
  expect(ran.body.results.length).toBeGreaterThanOrEqual(3);

  const { body } = await as(ANALYST, '{ dataProduct(id: "finance") { quality { ranAt score passed failedRules rules { name type severity passed observed message } } sla { met breaches } } }');
  const quality = body.data.dataProduct.quality;
  expect(quality).toMatchObject({ ranAt: ran.body.ranAt, score: ran.body.score, passed: true, failedRules: ran.body.failedRules });
  expect(quality.rules.map((rule: any) => rule.name)).toEqual(ran.body.results.map((result: any) => result.rule));
  expect(quality.rules[0]).toEqual({
    name: ran.body.results[0].rule,
    type: ran.body.results[0].type,
    severity: ran.body.results[0].severity,
    passed: ran.body.results[0].passed,
    observed: String(ran.body.results[0].observed),
    message: ran.body.results[0].message,
  });
  // Now both quality and freshness are known, so whether the SLA is met is too.
  expect(typeof body.data.dataProduct.sla.met).toBe('boolean');

  const byScope = await runQuality('sales', { sub: 'quality-bot', service: true, roles: ['service'], scopes: ['quality:run'] });
  expect(byScope.status).toBe(200);
});

test('/metrics carries per-product quality score, failed rules, freshness lag and SLA breach', async () => {
  await runQuality('customers', ADMIN);
  const text = await (await fetch(new URL('/metrics', mesh.gateway.url))).text();
  const value = (name: string, product: string) => {
    const match = new RegExp(`^${name}\\{product="${product}",domain="${product}"\\} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const status = (await as(ANALYST, '{ dataProduct(id: "customers") { quality { score failedRules } freshness { lagSeconds } sla { met } } }')).body.data.dataProduct;
  expect(value('meshgate_data_product_quality_score', 'customers')).toBe(status.quality.score);
  expect(value('meshgate_data_product_quality_failed_rules', 'customers')).toBe(status.quality.failedRules.length);
  expect(value('meshgate_data_product_freshness_lag_seconds', 'customers')).toBeCloseTo(status.freshness.lagSeconds, -1);
  expect(value('meshgate_data_product_sla_breached', 'customers')).toBe(status.sla.met ? 0 : 1);
  for (const domain of domains) expect(value('meshgate_data_product_up', domain.name)).toBe(1);
  // A product whose rules never ran has no score rather than a made-up zero.
  expect(value('meshgate_data_product_quality_score', 'logistics')).toBeUndefined();
});

test('every example query of every product validates and runs: the domain\'s own, or generated', async () => {
  const { body } = await as(ANALYST, '{ dataProducts { id exampleQueries { title query } } }');
  const titles = Object.fromEntries(body.data.dataProducts.map((product: any) => [product.id, product.exampleQueries.map((example: any) => example.title)]));
  // The domain's own examples.graphql when it has one; generated from its root fields otherwise.
  expect(titles.marketing).toEqual([expect.stringContaining('Revenue by marketing campaign')]);
  expect(titles.customers).toEqual(expect.arrayContaining(['customer: generated from the schema']));
  for (const product of body.data.dataProducts) {
    expect(product.exampleQueries.length).toBeGreaterThan(0);
    for (const example of product.exampleQueries) {
      const result = await as(ADMIN, example.query);
      const codes = (result.body.errors ?? []).map((error) => error.extensions?.code);
      expect({ product: product.id, title: example.title, codes }).toEqual({ product: product.id, title: example.title, codes: codes.filter((code) => code === 'FORBIDDEN') });
    }
  }
});

test('an unreachable subgraph shows as unknown and never breaks the catalog', async () => {
  await mesh.subgraphs.logistics.stop();
  const { status, body } = await as(ANALYST, '{ dataProducts { id sla { available met breaches } freshness { newestRecordAt problem } quality { score } } }');
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const logistics = body.data.dataProducts.find((product: any) => product.id === 'logistics');
  expect(logistics).toEqual({
    id: 'logistics',
    sla: { available: false, met: false, breaches: [expect.stringContaining('the logistics subgraph does not answer')] },
    freshness: { newestRecordAt: null, problem: expect.stringContaining('unknown') },
    quality: null,
  });
  expect(body.data.dataProducts.filter((product: any) => product.sla.available)).toHaveLength(domains.length - 1);
});
