/**
 * The cache's behaviour (issue #4), one suite that runs unchanged against
 * every backend: the in-process LRU, a Redis node and a Redis Cluster. Each
 * backend gets its own gateway in front of the same subgraphs, whose request
 * logs prove what was (not) fetched, and for whom.
 */
import type { RunningGateway } from '../../gateway/src';
import type { SubgraphDefinition } from '../../subgraphs/lib/subgraph';
import { queryGateway, tokenFor, type GraphQLBody, type TestMesh } from '../harness';
import { ACCOUNT_MANAGER, ADMIN, ANALYST, FINANCE_TEAM, ORDER_SERVICE } from '../principals';

export type BackendUnderTest = { mesh: TestMesh; gateway: RunningGateway; backend: string; index: number };

type Principal = Parameters<typeof tokenFor>[0];

/** Same rights as ANALYST, another person. */
export const ANALYST_BOB: Principal = { ...ANALYST, sub: 'bob', email: 'bob@meshgate.example' };
/** Same rights as FINANCE_TEAM, another person. */
export const FINANCE_FRED: Principal = { ...FINANCE_TEAM, sub: 'fred', email: 'fred@meshgate.example' };
/** Same rights as ACCOUNT_MANAGER (am03), managing other customers. */
export const ACCOUNT_MANAGER_05: Principal = { ...ACCOUNT_MANAGER, sub: 'am05', email: 'am05@meshgate.example' };
/** A member of the customers domain team. */
export const CUSTOMERS_TEAM: Principal = { sub: 'cora', email: 'cora@meshgate.example', roles: ['domain-team'], domains: ['customers'] };
/** The platform team's operator: may invalidate any type. */
export const CACHE_OPERATOR: Principal = { sub: 'ops', email: 'ops@meshgate.example', roles: ['operator'], scopes: ['cache:invalidate'] };

const CUSTOMER_FIELDS = /\b(name|email|phone)\b/;
/** Arguments that make the subgraphs answer slowly (below), so that concurrent requests surely overlap. */
const SLOW_MIN_TOTAL = 0.5;
const SLOW_FIRST = 400;
const SLOW_MS = 300;

/** The domains, with `orders(filter: { minTotal < 1 })` (sales) and `products(first >= 400)` (products) answering after 300 ms. */
export function withSlowFetches(domains: SubgraphDefinition<any>[]): SubgraphDefinition<any>[] {
  const slowed = (domain: SubgraphDefinition<any>, field: string, isSlow: (args: any) => boolean) => {
    const query = domain.resolvers.Query as Record<string, (...args: any[]) => unknown>;
    const original = query[field];
    return {
      ...domain,
      resolvers: {
        ...domain.resolvers,
        Query: {
          ...query,
          [field]: async (...args: any[]) => {
            if (isSlow(args[1])) await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
            return original(...args);
          },
        },
      },
    } as SubgraphDefinition<any>;
  };
  return domains.map((domain) => {
    if (domain.name === 'sales') return slowed(domain, 'orders', (args) => (args.filter?.minTotal ?? 1) < 1);
    if (domain.name === 'products') return slowed(domain, 'products', (args) => (args.first ?? 0) >= SLOW_FIRST);
    return domain;
  });
}

export function cacheBehaviour(current: () => BackendUnderTest) {
  const mesh = () => current().mesh;
  const url = () => current().gateway.url;
  const headersFor = async (principal: Principal | null) => ({ ...(principal ? await tokenFor(principal) : {}), 'meshgate-cache-status': '1' });
  const as = async (principal: Principal | null, query: string, variables?: Record<string, unknown>) => queryGateway(url(), query, variables, await headersFor(principal));
  /** Customer entity-cache hits the entity-cache test saw in one response; /metrics counts at least those. */
  let customerEntityHits = 0;
  const cacheOf = (body: GraphQLBody) => body.extensions?.cache as { response: string; ttl?: number; scope?: string; entities: Record<string, { hits: number; misses: number }> };
  const received = (subgraph: string) => mesh().subgraphs[subgraph].received;
  const fetchCounts = () => Object.fromEntries(Object.entries(mesh().subgraphs).map(([name, subgraph]) => [name, subgraph.received.length]));
  const noFetches = { customers: 0, products: 0, sales: 0, marketing: 0, finance: 0, logistics: 0 };
  // Each backend uses its own rows where a test changes data (the subgraphs and their database are shared).
  const deliveredOrder = async (offset: number) => {
    const rows = await mesh().db.query<{ id: number }>(`SELECT id FROM sales.orders WHERE status = 'DELIVERED' ORDER BY id LIMIT 1 OFFSET $1`, [current().index * 10 + offset]);
    return String(rows[0].id);
  };
  const invalidate = async (principal: Principal | null, body: unknown) => {
    const response = await fetch(url().replace(/\/graphql$/, '/cache/invalidate'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(principal ? await tokenFor(principal) : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  describe('response cache', () => {
    test('a repeated query is served from the cache without any subgraph fetch', async () => {
      const query = `query Repeated { orders(first: 10, orderBy: { field: TOTAL, direction: ASC }) { totalCount edges { node { id total customer { segment } } } } }`;
      const first = await as(ANALYST, query);
      expect(cacheOf(first.body)).toMatchObject({ response: 'MISS', ttl: 30, scope: 'PUBLIC' });
      mesh().resetReceived();
      const second = await as(ANALYST, query);
      expect(cacheOf(second.body).response).toBe('HIT');
      expect(cacheOf(second.body).ttl).toBeLessThanOrEqual(30);
      expect(second.body.data).toEqual(first.body.data);
      expect(fetchCounts()).toEqual(noFetches);
    });

    test('the status appears only when asked; HTTP Cache-Control follows the most restrictive hint', async () => {
      const query = '{ products(first: 3) { edges { node { name price } } } }';
      const plain = await queryGateway(url(), query);
      expect(plain.body.extensions).toBeUndefined();
      const response = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      // The catalog is hinted for an hour; the second answer comes from the cache with what is left of it.
      expect(response.headers.get('cache-control')).toMatch(/^max-age=(3[0-5]\d\d|3600), public$/);
    });

    test('a response with execution errors is never cached', async () => {
      const query = '{ orders(first: 2, after: "not-a-cursor") { totalCount } }';
      for (let i = 0; i < 2; i++) {
        mesh().resetReceived();
        const { body } = await as(ANALYST, query);
        expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(cacheOf(body).response).toBe('MISS');
        expect(received('sales')).toHaveLength(1);
      }
    });
  });

  describe('safety', () => {
    const PII_QUERY = '{ orders(first: 8, orderBy: { field: PLACED_AT, direction: ASC }) { edges { node { id customer { id segment name email } } } } }';

    test('a principal with pii:read warms the cache; a principal without it gets no PII, from the cache or otherwise', async () => {
      const admin = await as(ADMIN, PII_QUERY);
      const customers = admin.body.data.orders.edges.map((edge: any) => edge.node.customer);
      expect(customers.every((customer: any) => typeof customer.email === 'string' && customer.email.includes('@'))).toBe(true);
      expect((await as(ADMIN, PII_QUERY)).body.extensions!.cache.response).toBe('HIT');

      for (const attempt of ['first', 'repeated']) {
        mesh().resetReceived();
        const analyst = await as(ANALYST, PII_QUERY);
        expect(cacheOf(analyst.body).response).toBe(attempt === 'first' ? 'MISS' : 'HIT');
        const seen = analyst.body.data.orders.edges.map((edge: any) => edge.node.customer);
        expect(seen.map((customer: any) => customer.id)).toEqual(customers.map((customer: any) => customer.id));
        expect(seen.every((customer: any) => customer.name === null && customer.email === null && typeof customer.segment === 'string')).toBe(true);
        expect(JSON.stringify(analyst.body.data)).not.toContain('@');
        expect(analyst.body.errors!.filter((error) => error.extensions?.code === 'FORBIDDEN')).toHaveLength(2 * seen.length);
        // Not from the admin's cached customers either: the analyst's own selection, without PII, was fetched.
        for (const request of received('customers')) expect(request.query).not.toMatch(CUSTOMER_FIELDS);
      }
    });

    test('a cached response is shared by principals with the same rights only', async () => {
      const query = '{ customers(first: 4) { edges { node { id segment country } } } }';
      expect(cacheOf((await as(ANALYST, query)).body).response).toBe('MISS');
      expect(cacheOf((await as(ANALYST_BOB, query)).body).response).toBe('HIT');
      // Same operation after authorization, other rights: never served from the analysts' entry.
      mesh().resetReceived();
      expect(cacheOf((await as(CUSTOMERS_TEAM, query)).body).response).toBe('MISS');
      expect(received('customers')).toHaveLength(1);
    });

    test('PRIVATE data of one user never reaches another, even with the same rights', async () => {
      const query = '{ customer(id: "3") { id transactions(first: 3) { totalCount edges { node { id amount } } } } }';
      const fiona = await as(FINANCE_TEAM, query);
      expect(cacheOf(fiona.body)).toMatchObject({ response: 'MISS', scope: 'PRIVATE' });
      expect(cacheOf((await as(FINANCE_TEAM, query)).body).response).toBe('HIT');

      mesh().resetReceived();
      const fred = await as(FINANCE_FRED, query);
      expect(cacheOf(fred.body)).toMatchObject({ response: 'MISS', scope: 'PRIVATE' });
      expect(cacheOf(fred.body).entities.finance).toEqual({ hits: 0, misses: 1 });
      // Fetched again, for fred, from the finance subgraph (which could have filtered by him).
      expect(received('finance').map((request) => request.principal?.id)).toEqual(['fred']);
      expect(fred.body.data).toEqual(fiona.body.data);
    });

    test('row-level rules run on every request, and such responses are cached per principal', async () => {
      const query = '{ customers(filter: { segment: ENTERPRISE }, first: 50) { edges { node { id phone } } } }';
      const managers = await mesh().db.query<{ id: number; account_manager: string | null; phone: string | null }>(
        `SELECT id, account_manager, phone FROM customers.customer WHERE segment = 'ENTERPRISE'`,
      );
      for (const principal of [ACCOUNT_MANAGER, ACCOUNT_MANAGER_05, ACCOUNT_MANAGER]) {
        mesh().resetReceived();
        const { body } = await as(principal, query);
        for (const { node } of body.data.customers.edges) {
          const row = managers.find((manager) => String(manager.id) === node.id)!;
          expect(node.phone).toBe(row.account_manager === principal.email ? row.phone : null);
        }
      }
      // am03's second request was served from am03's own entry; am05 never got it.
      expect(cacheOf((await as(ACCOUNT_MANAGER_05, query)).body)).toMatchObject({ response: 'HIT', scope: 'PRIVATE' });
    });
  });

  describe('entity cache', () => {
    test('after query A warms customers, query B over the same customers makes zero customer-subgraph fetches', async () => {
      const orders = '(first: 100, orderBy: { field: TOTAL, direction: DESC })';
      mesh().resetReceived();
      const a = await as(ANALYST, `query DashboardA { orders${orders} { edges { node { id customer { segment country } } } } }`);
      expect(received('customers')).toHaveLength(1);
      // Orders share customers: each distinct customer is looked up, missed and asked for once.
      const sent = received('customers')[0].variables!.representations as { id: string }[];
      expect(new Set(sent.map((representation) => representation.id)).size).toBe(sent.length);
      const warmed = cacheOf(a.body).entities.customers;
      expect(warmed.misses).toBe(sent.length);

      mesh().resetReceived();
      const b = await as(ANALYST, `query DashboardB { orders${orders} { totalCount edges { node { total placedAt customer { segment country } } } } }`);
      expect(cacheOf(b.body).response).toBe('MISS');
      expect(received('customers')).toHaveLength(0);
      expect(received('sales')).toHaveLength(1);
      expect(cacheOf(b.body).entities.customers).toEqual({ hits: warmed.hits + warmed.misses, misses: 0 });
      customerEntityHits = cacheOf(b.body).entities.customers.hits;
      expect(b.body.data.orders.edges.map((edge: any) => edge.node.customer)).toEqual(a.body.data.orders.edges.map((edge: any) => edge.node.customer));
    });

    test('only the misses go to the subgraph, and the merged answer keeps its order', async () => {
      const query = (first: number) => `{ orders(first: ${first}, orderBy: { field: PLACED_AT, direction: DESC }) { edges { node { id customer { id segment city } } } } }`;
      await as(ANALYST, query(5));
      mesh().resetReceived();
      const { body } = await as(ANALYST, query(30));
      const warmed = new Set((await as(ANALYST, query(5))).body.data.orders.edges.map((edge: any) => edge.node.customer.id));
      const sent = received('customers').flatMap((request) => (request.variables?.representations as { id: string }[]) ?? []);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.some((representation) => warmed.has(representation.id))).toBe(false);
      // Every customer of the five newest orders is a hit (five orders can share a customer).
      expect(warmed.size).toBeGreaterThanOrEqual(3);
      expect(cacheOf(body).entities.customers.hits).toBeGreaterThanOrEqual(warmed.size);

      const truth = await mesh().db.query<{ id: number; customer_id: number; segment: string; city: string }>(
        `SELECT o.id, o.customer_id, c.segment, c.city FROM sales.orders o JOIN customers.customer c ON c.id = o.customer_id ORDER BY o.placed_at DESC, o.id DESC LIMIT 30`,
      );
      expect(body.data.orders.edges.map((edge: any) => edge.node)).toEqual(
        truth.map((row) => ({ id: String(row.id), customer: { id: String(row.customer_id), segment: row.segment, city: row.city } })),
      );
    });
  });

  describe('in-flight deduplication', () => {
    const heavy = (tag: number) => `query Heavy($min: Float) { orders(first: 300, filter: { minTotal: $min }) { totalCount edges { node { id total lines { quantity amount product { id } } } } } } # ${tag}`;

    test('identical queries in flight run once and share the result', async () => {
      const headers = await headersFor(ANALYST);
      mesh().resetReceived();
      const results = await Promise.all(Array.from({ length: 10 }, () => queryGateway(url(), heavy(current().index), { min: SLOW_MIN_TOTAL / (2 + current().index) }, headers)));
      expect(received('sales')).toHaveLength(1);
      const statuses = results.map(({ body }) => cacheOf(body).response).sort();
      expect(statuses).toEqual(['MISS', ...Array(9).fill('DEDUPED')].sort());
      for (const { body } of results) expect(body.data).toEqual(results[0].body.data);
    });

    test('identical subgraph fetches of different queries are sent once', async () => {
      const headers = await headersFor(ANALYST);
      const query = (name: string) => `query ${name}($first: Int) { products(first: $first) { edges { node { id name price category } } } }`;
      mesh().resetReceived();
      const [one, two] = await Promise.all([queryGateway(url(), query('One'), { first: SLOW_FIRST + current().index }, headers), queryGateway(url(), query('Two'), { first: SLOW_FIRST + current().index }, headers)]);
      expect(received('products')).toHaveLength(1);
      expect(one.body.data).toEqual(two.body.data);
    });

    test('never across principals with different rights, never for mutations', async () => {
      const [admin, analyst] = await Promise.all([ADMIN, ANALYST].map(headersFor));
      mesh().resetReceived();
      await Promise.all([admin, analyst].map((headers) => queryGateway(url(), heavy(100 + current().index), { min: SLOW_MIN_TOTAL }, headers)));
      expect(received('sales')).toHaveLength(2);

      const id = await deliveredOrder(5);
      const service = await headersFor(ORDER_SERVICE);
      const mutation = `mutation { updateOrderStatus(id: "${id}", status: RETURNED) { id status } }`;
      mesh().resetReceived();
      await Promise.all([queryGateway(url(), mutation, undefined, service), queryGateway(url(), mutation, undefined, service)]);
      expect(received('sales')).toHaveLength(2);
    });
  });

  // Requests without the cache-status header: repeated ones are answered before Apollo Server (cache/responseShortcut.ts).
  describe('front door', () => {
    const plainPost = async (principal: Principal | null, query: string, variables?: Record<string, unknown>) => {
      const response = await fetch(url(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(principal ? await tokenFor(principal) : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, cacheControl: response.headers.get('cache-control'), contentType: response.headers.get('content-type'), text: await response.text() };
    };
    const frontDoor = async (outcome: 'hit' | 'deduplicated') => {
      const text = await (await fetch(url().replace(/\/graphql$/, '/metrics'))).text();
      return Number(text.split('\n').find((line) => line.startsWith(`meshgate_cache_front_door_total{outcome="${outcome}"} `))?.split(' ')[1] ?? 0);
    };

    test('a repeated query is answered from the cache with the same bytes and headers, without any subgraph fetch', async () => {
      const query = `{ orders(first: 6, orderBy: { field: TOTAL, direction: DESC }) { edges { node { id total customer { id segment } } } } } # ${current().index}`;
      const first = await plainPost(ANALYST, query);
      expect(first.status).toBe(200);
      // An analyst's answer: private, whatever the subgraphs' hints (tests/security/authenticatedAnswersAreNeverPublic.test.ts).
      expect(first.cacheControl).toBe('max-age=30, private');
      const before = await frontDoor('hit');
      mesh().resetReceived();
      for (let i = 0; i < 3; i++) {
        const again = await plainPost(ANALYST, query);
        expect(again.text).toBe(first.text);
        expect(again.contentType).toBe(first.contentType);
        expect(again.cacheControl).toMatch(/^max-age=(30|2\d), private$/);
      }
      expect(fetchCounts()).toEqual(noFetches);
      expect(await frontDoor('hit')).toBe(before + 3);
      // Another analyst (same rights) first takes the full pipeline, and is then answered from the same entry.
      expect((await plainPost(ANALYST_BOB, query)).text).toBe(first.text);
      expect(fetchCounts()).toEqual(noFetches);
    });

    test('answers with denied fields are never taken from the front door: each is completed, and audited, again', async () => {
      const query = `{ customers(first: 2) { edges { node { id email } } } } # front ${current().index}`;
      const audit = current().gateway.audit;
      await audit.flush();
      const written = audit.written;
      const before = await frontDoor('hit');
      for (let i = 0; i < 3; i++) {
        const { text } = await plainPost(ANALYST, query);
        const body = JSON.parse(text);
        expect(body.data.customers.edges.map((edge: any) => edge.node.email)).toEqual([null, null]);
        expect(body.errors.map((error: any) => error.extensions.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      }
      await audit.flush();
      expect(audit.written - written).toBe(6);
      expect(await frontDoor('hit')).toBe(before);
      // The admin's answer to the same text, with the emails, is never handed to the analyst (nor the reverse).
      const admin = JSON.parse((await plainPost(ADMIN, query)).text);
      expect(admin.data.customers.edges.every((edge: any) => edge.node.email.includes('@'))).toBe(true);
      expect(JSON.parse((await plainPost(ANALYST, query)).text).data.customers.edges.map((edge: any) => edge.node.email)).toEqual([null, null]);
      expect(JSON.parse((await plainPost(ADMIN, query)).text)).toEqual(admin);
    });

    test('identical queries in flight are answered once, also for principals with the same rights', async () => {
      const query = `query Front($min: Float) { orders(first: 200, filter: { minTotal: $min }) { totalCount edges { node { id total } } } } # ${current().index}`;
      const variables = { min: SLOW_MIN_TOTAL / (7 + current().index) };
      // The front door knows a request once it has answered it in full; the cached answer is then dropped, so all twelve miss.
      await plainPost(ANALYST, query, variables);
      await plainPost(ANALYST_BOB, query, variables);
      expect((await invalidate(CACHE_OPERATOR, { types: ['Order'] })).status).toBe(200);
      mesh().resetReceived();
      const before = await frontDoor('deduplicated');
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => plainPost(i % 2 ? ANALYST_BOB : ANALYST, query, variables)));
      expect(received('sales')).toHaveLength(1);
      expect(await frontDoor('deduplicated')).toBe(before + 11);
      for (const answer of answers) expect(answer.text).toBe(answers[0].text);
    });

    test('after a mutation, the front door answers with the new data', async () => {
      const id = await deliveredOrder(7);
      const query = `{ order(id: "${id}") { id status } }`;
      expect(JSON.parse((await plainPost(ORDER_SERVICE, query)).text).data.order.status).toBe('DELIVERED');
      expect(JSON.parse((await plainPost(ORDER_SERVICE, query)).text).data.order.status).toBe('DELIVERED');
      await as(ORDER_SERVICE, `mutation { updateOrderStatus(id: "${id}", status: RETURNED) { id status } }`);
      expect(JSON.parse((await plainPost(ORDER_SERVICE, query)).text).data.order.status).toBe('RETURNED');
    });
  });

  describe('invalidation', () => {
    test('a mutation drops the entities it returns, in both layers', async () => {
      const id = await deliveredOrder(0);
      const query = `{ order(id: "${id}") { id status payment { status } } }`;
      expect((await as(ORDER_SERVICE, query)).body.data.order.status).toBe('DELIVERED');
      expect(cacheOf((await as(ORDER_SERVICE, query)).body).response).toBe('HIT');

      const mutation = await as(ORDER_SERVICE, `mutation { updateOrderStatus(id: "${id}", status: RETURNED) { id status } }`);
      expect(mutation.body.data).toEqual({ updateOrderStatus: { id, status: 'RETURNED' } });

      const after = await as(ORDER_SERVICE, query);
      expect(after.body.data.order.status).toBe('RETURNED');
      // The finance subgraph's cached Order entity went too.
      expect(cacheOf(after.body)).toMatchObject({ response: 'MISS', entities: { finance: { hits: 0, misses: 1 } } });
    });

    test('POST /cache/invalidate: a domain invalidates its own types, others are refused with a reason', async () => {
      const query = '{ customers(first: 3) { edges { node { id segment orderCount } } } }';
      await as(ANALYST, query);
      expect(cacheOf((await as(ANALYST, query)).body).response).toBe('HIT');

      expect((await invalidate(null, { types: ['Customer'] })).status).toBe(401);
      const refused = await invalidate(ANALYST, { entities: [{ typename: 'Customer', key: { id: '1' } }] });
      expect(refused.status).toBe(403);
      expect(refused.body.errors[0].message).toMatch(/Customer \(owned by customers, finance, sales\).*cache:invalidate/);
      const bad = await invalidate(CUSTOMERS_TEAM, { entities: [{ typename: 'Customer', key: { uid: '1' } }], types: ['Nope'] });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].message).toMatch(/"Nope" is not an entity type.*entities\.0\.key: expected the fields of a key of Customer \(id\), got uid/);
      expect((await invalidate(CUSTOMERS_TEAM, { tyeps: ['Customer'] })).body.errors[0].message).toMatch(/tyeps/);

      const done = await invalidate(CUSTOMERS_TEAM, { entities: [{ typename: 'Customer', key: { id: 1 } }] });
      expect(done.status).toBe(200);
      expect(done.body.removed).toBeGreaterThan(0);
      const after = await as(ANALYST, query);
      expect(cacheOf(after.body)).toMatchObject({ response: 'MISS', entities: { sales: { hits: 2, misses: 1 } } });

      await as(null, '{ product(id: "2") { name } }');
      expect(cacheOf((await as(null, '{ product(id: "2") { name } }')).body).response).toBe('HIT');
      expect((await invalidate(CACHE_OPERATOR, { types: ['Product'] })).status).toBe(200);
      expect(cacheOf((await as(null, '{ product(id: "2") { name } }')).body).response).toBe('MISS');
    });
  });

  test('metrics at /metrics count hits, misses, writes and invalidations per layer and subgraph', async () => {
    const text = await (await fetch(url().replace(/\/graphql$/, '/metrics'))).text();
    const value = (line: string) => Number(text.split('\n').find((candidate) => candidate.startsWith(`${line} `))?.split(' ')[1] ?? NaN);
    expect(value('meshgate_cache_hits_total{layer="response",subgraph=""}')).toBeGreaterThan(5);
    expect(value('meshgate_cache_hits_total{layer="entity",subgraph="customers"}')).toBeGreaterThanOrEqual(Math.max(1, customerEntityHits));
    expect(value('meshgate_cache_misses_total{layer="entity",subgraph="finance"}')).toBeGreaterThan(0);
    expect(value('meshgate_cache_writes_total{layer="entity",subgraph="customers"}')).toBeGreaterThanOrEqual(Math.max(1, customerEntityHits));
    expect(value('meshgate_cache_deduplicated_total{layer="response",subgraph=""}')).toBeGreaterThanOrEqual(9);
    expect(value('meshgate_cache_invalidations_total{source="mutation"}')).toBeGreaterThanOrEqual(1);
    expect(value('meshgate_cache_invalidations_total{source="endpoint"}')).toBe(3);
    expect(value('meshgate_cache_invalidated_entries_total{layer="entity",subgraph="sales"}')).toBeGreaterThan(0);
    if (current().backend !== 'memory') {
      expect(value(`meshgate_cache_backend_up{backend="${current().backend === 'cluster' ? 'redis-cluster' : 'redis'}"}`)).toBe(1);
      expect(text).not.toMatch(/meshgate_cache_backend_errors_total\{[^}]*operation="(get|set)"\} [1-9]/);
    }
  });
}
