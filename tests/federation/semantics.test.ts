/**
 * Federation semantics end to end: fixture subgraphs (not meshgate's domains)
 * over real HTTP, composed into a supergraph file, fronted by the real gateway
 * in file mode. Each test checks the exact `data`, that there are no errors,
 * and, where it matters, what each subgraph was (not) asked.
 */
import { createFederation1Fixtures, createFederation2Fixtures } from './fixtures/subgraphs';
import { entityFetches, startFederation, type Executor, type Federation, type GraphQLResponseBody } from './fixtures/federation';

// Every test runs twice: with meshgate's query-plan executor and with @apollo/gateway's.
const executors: Executor[] = ['meshgate', 'apollo'];

function expectData(response: { status: number; body: GraphQLResponseBody }, data: unknown) {
  expect(response.body.errors).toBeUndefined();
  expect(response.status).toBe(200);
  expect(response.body.data).toEqual(data);
}

describe.each(executors)('Federation 2 semantics through the gateway (%s executor)', (executor) => {
  const fixtures = createFederation2Fixtures();
  let fed: Federation;
  const received = (name: string) => fed.subgraphs[name].received;

  beforeAll(async () => {
    fed = await startFederation(fixtures.subgraphs, executor);
  });
  afterAll(async () => {
    await fed?.stop();
  });
  beforeEach(() => {
    fixtures.reset();
    fed.resetReceived();
  });

  test('@key: multiple keys let an upc-only subgraph reach a sku-only subgraph through products', async () => {
    expectData(await fed.query('{ reviews { id product { upc discountPercent } } }'), {
      reviews: [
        { id: 'r1', product: { upc: '1', discountPercent: 10 } },
        { id: 'r2', product: { upc: '1', discountPercent: 10 } },
        { id: 'r3', product: { upc: '2', discountPercent: 0 } },
      ],
    });
    // reviews -> products (upc key, to learn the sku) -> pricing (sku key).
    expect(entityFetches(fed.subgraphs.products).flat()).toEqual(
      expect.arrayContaining([
        { __typename: 'Product', upc: '1' },
        { __typename: 'Product', upc: '2' },
      ]),
    );
    expect(entityFetches(fed.subgraphs.pricing).flat()).toEqual(
      expect.arrayContaining([
        { __typename: 'Product', sku: 'SKU-1' },
        { __typename: 'Product', sku: 'SKU-2' },
      ]),
    );
    expect(received('accounts')).toHaveLength(0);

    // And back: pricing (sku) -> products (sku -> upc) -> reviews (upc).
    expectData(await fed.query('{ deals { label product { sku upc reviews { body } } } }'), {
      deals: [{ label: 'Table week', product: { sku: 'SKU-1', upc: '1', reviews: [{ body: 'Love it!' }, { body: 'Too expensive.' }] } }],
    });
    expect(entityFetches(fed.subgraphs.products).at(-1)).toEqual([{ __typename: 'Product', sku: 'SKU-1' }]);
    expect(entityFetches(fed.subgraphs.reviews)).toEqual([[{ __typename: 'Product', upc: '1' }]]);
  });

  test('@key(resolvable: false): the reference is resolved by the subgraph that owns the entity, never by the referencing one', async () => {
    expectData(await fed.query('{ me { name favoriteProduct { upc name price } } }'), {
      me: { name: 'Ada Lovelace', favoriteProduct: { upc: '2', name: 'Couch', price: 1299 } },
    });
    expect(received('accounts')).toHaveLength(1);
    expect(entityFetches(fed.subgraphs.accounts)).toEqual([]);
    expect(entityFetches(fed.subgraphs.products)).toEqual([[{ __typename: 'Product', upc: '2' }]]);
  });

  test('@requires with an argument: inventory gets price and weight(unit: KILOGRAM) in its representations', async () => {
    expectData(await fed.query('{ topProducts { upc shippingEstimate } }'), {
      topProducts: [
        { upc: '1', shippingEstimate: 10 },
        { upc: '2', shippingEstimate: 0 },
        { upc: '3', shippingEstimate: 4 },
      ],
    });
    expect(entityFetches(fed.subgraphs.inventory)).toEqual([
      [
        { __typename: 'Product', upc: '1', price: 899, weight: 5 },
        { __typename: 'Product', upc: '2', price: 1299, weight: 20 },
        { __typename: 'Product', upc: '3', price: 54, weight: 1.5 },
      ],
    ]);
  });

  test('@requires with an argument: the client may also select that field with other arguments under aliases', async () => {
    expectData(await fed.query('{ product(upc: "3") { grams: weight(unit: GRAM) shippingEstimate kilos: weight(unit: KILOGRAM) } }'), {
      product: { grams: 1500, shippingEstimate: 4, kilos: 1.5 },
    });
    expect(entityFetches(fed.subgraphs.inventory)).toEqual([[{ __typename: 'Product', upc: '3', price: 54, weight: 1.5 }]]);
  });

  // Known @apollo/query-planner bug (apollographql/federation#2996, #2276): when the client selects
  // the required field unaliased with other arguments, the planner merges the two selections into
  // one instead of aliasing the @requires copy. meshgate's executor plans the client's field under an
  // alias of its own (plan/rewrites/aliasRequiredFields.ts); @apollo/gateway's executor still has the
  // bug, so there the cases stay `failing` (they turn red once it is fixed upstream).
  const withUpstreamBug = executor === 'meshgate' ? test : test.failing;
  withUpstreamBug('@requires with an argument: client `weight` (GRAM) before shippingEstimate must not change the required KILOGRAM value [upstream bug]', async () => {
    // 2.14.4 sends weight in grams to inventory and answers shippingEstimate: 3000.
    expectData(await fed.query('{ product(upc: "3") { weight shippingEstimate } }'), { product: { weight: 1500, shippingEstimate: 4 } });
  });

  withUpstreamBug('@requires with an argument: shippingEstimate before client `weight` must not change the client value [upstream bug]', async () => {
    // 2.14.4 fetches only weight(unit: KILOGRAM) and answers the client's weight with 1.5.
    expectData(await fed.query('{ product(upc: "3") { shippingEstimate weight } }'), { product: { shippingEstimate: 4, weight: 1500 } });
  });

  test('@provides: a provided field is read from the providing subgraph, with no fetch to the owner', async () => {
    expectData(await fed.query('{ reviews { body author { name } } }'), {
      reviews: [
        { body: 'Love it!', author: { name: 'Ada Lovelace' } },
        { body: 'Too expensive.', author: { name: 'Grace Hopper' } },
        { body: 'Could be comfier.', author: { name: 'Ada Lovelace' } },
      ],
    });
    expect(received('reviews')).toHaveLength(1);
    expect(received('accounts')).toHaveLength(0);

    // Off the @provides path, the same @external field comes from its owner.
    fed.resetReceived();
    expectData(await fed.query('{ node(id: "u2") { ... on User { name } } }'), { node: { name: 'Grace Hopper' } });
    expect(entityFetches(fed.subgraphs.accounts)).toEqual([[{ __typename: 'User', id: 'u2' }]]);
  });

  test('@external + @requires on an @inaccessible field: usable internally, invisible to clients', async () => {
    expectData(await fed.query('{ users { id trusted } }'), {
      users: [
        { id: 'u1', trusted: true },
        { id: 'u2', trusted: false },
      ],
    });
    expect(entityFetches(fed.subgraphs.reviews)).toEqual([
      [
        { __typename: 'User', id: 'u1', internalScore: 90 },
        { __typename: 'User', id: 'u2', internalScore: 40 },
      ],
    ]);
  });

  test('@inaccessible: selecting the field is a validation error (400) and reaches no subgraph; introspection hides it', async () => {
    const { status, body } = await fed.query('{ me { name internalScore } }');
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'Cannot query field "internalScore" on type "User".',
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    ]);
    for (const subgraph of Object.values(fed.subgraphs)) expect(subgraph.received).toEqual([]);

    const introspection = await fed.query('{ __type(name: "User") { fields { name } } }');
    expect(introspection.body.errors).toBeUndefined();
    expect(introspection.body.data.__type.fields.map((field: { name: string }) => field.name).sort()).toEqual(
      ['email', 'favoriteProduct', 'id', 'name', 'reviews', 'trusted'],
    );
  });

  test('@shareable: a field shared by two subgraphs is resolved where the plan already is', async () => {
    expectData(await fed.query('{ deals { label product { name discountPercent } } }'), {
      deals: [{ label: 'Table week', product: { name: 'Table', discountPercent: 10 } }],
    });
    expect(received('pricing')).toHaveLength(1);
    expect(received('products')).toHaveLength(0);

    expectData(await fed.query('{ topProducts(first: 2) { name } }'), { topProducts: [{ name: 'Table' }, { name: 'Couch' }] });
    expect(received('pricing')).toHaveLength(1);
  });

  test('@override(from: "products"): the field is routed to the overriding subgraph only', async () => {
    expectData(await fed.query('{ topProducts { upc inStock } }'), {
      topProducts: [
        { upc: '1', inStock: true },
        { upc: '2', inStock: false },
        { upc: '3', inStock: true },
      ],
    });
    expect(received('products')).toHaveLength(1);
    expect(received('products')[0].query).not.toContain('inStock');
    expect(received('inventory')).toHaveLength(1);
    expect(received('inventory')[0].query).toContain('inStock');
    expect(fixtures.state.overriddenInStockCalls).toBe(0);
  });

  test('@interfaceObject: fields of an interface object are added to every implementation', async () => {
    expectData(await fed.query('{ media { __typename id title averageRating } }'), {
      media: [
        { __typename: 'Book', id: 'b1', title: 'Dune', averageRating: 4.5 },
        { __typename: 'Movie', id: 'm1', title: 'Alien', averageRating: 4.8 },
        { __typename: 'Book', id: 'b2', title: 'Emma', averageRating: 3.9 },
      ],
    });
    // ratings only knows Media: its representations carry the interface's name.
    expect(entityFetches(fed.subgraphs.ratings).flat()).toEqual([
      { __typename: 'Media', id: 'b1' },
      { __typename: 'Media', id: 'm1' },
      { __typename: 'Media', id: 'b2' },
    ]);
  });

  test('@interfaceObject: a root field of the interface-object subgraph gets concrete types from the interface owner', async () => {
    expectData(
      await fed.query('{ topRated { __typename id title averageRating ... on Book { author } ... on Movie { director } } }'),
      {
        topRated: [
          { __typename: 'Movie', id: 'm1', title: 'Alien', averageRating: 4.8, director: 'Ridley Scott' },
          { __typename: 'Book', id: 'b1', title: 'Dune', averageRating: 4.5, author: 'Frank Herbert' },
        ],
      },
    );
    expect(entityFetches(fed.subgraphs.media).flat()).toEqual(
      expect.arrayContaining([
        { __typename: 'Media', id: 'm1' },
        { __typename: 'Media', id: 'b1' },
      ]),
    );
  });

  test('interfaces implemented in several subgraphs: type conditions fetch each implementation from its owners', async () => {
    expectData(
      await fed.query(`{
        review: node(id: "r3") { __typename id ... on Review { body product { name } } ... on User { email } }
        user: node(id: "u1") { __typename id ... on Review { body } ... on User { email name trusted } }
        missing: node(id: "nope") { id }
      }`),
      {
        review: { __typename: 'Review', id: 'r3', body: 'Could be comfier.', product: { name: 'Couch' } },
        user: { __typename: 'User', id: 'u1', email: 'ada@example.com', name: 'Ada Lovelace', trusted: true },
        missing: null,
      },
    );
  });

  test('unions: members resolved by different subgraphs', async () => {
    expectData(
      await fed.query('{ search(text: "love") { __typename ... on Review { body } ... on Product { name price } ... on User { email } } }'),
      {
        search: [
          { __typename: 'Review', body: 'Love it!' },
          { __typename: 'Product', name: 'Table', price: 899 },
          { __typename: 'User', email: 'ada@example.com' },
        ],
      },
    );
    expect(entityFetches(fed.subgraphs.products)).toEqual([[{ __typename: 'Product', upc: '1' }]]);
    expect(entityFetches(fed.subgraphs.accounts)).toEqual([[{ __typename: 'User', id: 'u1' }]]);
  });

  test('@skip/@include with variables: a skipped cross-subgraph field is not fetched at all', async () => {
    const query = `query Products($withReviews: Boolean!, $noPrice: Boolean!) {
      topProducts(first: 2) { name price @skip(if: $noPrice) reviews @include(if: $withReviews) { body } }
    }`;
    expectData(await fed.query(query, { withReviews: false, noPrice: true }), { topProducts: [{ name: 'Table' }, { name: 'Couch' }] });
    expect(received('products')).toHaveLength(1);
    expect(received('reviews')).toHaveLength(0);

    fed.resetReceived();
    expectData(await fed.query(query, { withReviews: true, noPrice: false }), {
      topProducts: [
        { name: 'Table', price: 899, reviews: [{ body: 'Love it!' }, { body: 'Too expensive.' }] },
        { name: 'Couch', price: 1299, reviews: [{ body: 'Could be comfier.' }] },
      ],
    });
    expect(received('reviews')).toHaveLength(1);
  });

  test('@skip(if: true) on a field that needs another subgraph: that subgraph is never called', async () => {
    expectData(await fed.query('{ topProducts(first: 1) { name shippingEstimate @skip(if: true) inStock @include(if: false) } }'), {
      topProducts: [{ name: 'Table' }],
    });
    expect(received('products')).toHaveLength(1);
    expect(received('inventory')).toHaveLength(0);
  });

  test('variable and argument defaults, including a defaulted variable used in an entity fetch', async () => {
    expectData(await fed.query('query Top($first: Int = 1) { topProducts(first: $first) { upc } }'), { topProducts: [{ upc: '1' }] });
    expectData(await fed.query('query Top($first: Int = 1) { topProducts(first: $first) { upc } }', { first: 2 }), {
      topProducts: [{ upc: '1' }, { upc: '2' }],
    });
    // Argument default (first: Int = 5) and enum argument default (unit: WeightUnit = GRAM).
    expectData(await fed.query('{ topProducts { upc weight } }'), {
      topProducts: [
        { upc: '1', weight: 5000 },
        { upc: '2', weight: 20000 },
        { upc: '3', weight: 1500 },
      ],
    });
    // The defaulted variable is used only in the second fetch (products, after reviews).
    fed.resetReceived();
    expectData(await fed.query('query Weights($unit: WeightUnit = KILOGRAM) { reviews { id product { weight(unit: $unit) } } }'), {
      reviews: [
        { id: 'r1', product: { weight: 5 } },
        { id: 'r2', product: { weight: 5 } },
        { id: 'r3', product: { weight: 20 } },
      ],
    });
    expect(entityFetches(fed.subgraphs.products)).toHaveLength(1);
  });

  test('mutation followed by entity fetches in other subgraphs (input field default applied)', async () => {
    const { status, body } = await fed.query(
      'mutation Add($input: AddReviewInput!) { addReview(input: $input) { id body rating product { name price } author { email } } }',
      { input: { upc: '3', authorId: 'u2', body: 'Sturdy.' } },
    );
    expectData({ status, body }, {
      addReview: { id: 'r4', body: 'Sturdy.', rating: 5, product: { name: 'Chair', price: 54 }, author: { email: 'grace@example.com' } },
    });
    expect(received('reviews')).toHaveLength(1);
    expect(received('reviews')[0].query).toMatch(/^\s*mutation\b/);
    expect(entityFetches(fed.subgraphs.products)).toEqual([[{ __typename: 'Product', upc: '3' }]]);
    expect(entityFetches(fed.subgraphs.accounts)).toEqual([[{ __typename: 'User', id: 'u2' }]]);
    for (const name of ['products', 'accounts']) expect(received(name).every((op) => /^\s*query\b/.test(op.query))).toBe(true);

    // The write is visible to a following query.
    expectData(await fed.query('{ product(upc: "3") { reviews { body rating } } }'), { product: { reviews: [{ body: 'Sturdy.', rating: 5 }] } });
  });

  test('root mutation fields run one after another, in document order, across subgraphs', async () => {
    expectData(
      await fed.query(`mutation {
        first: renameUser(id: "u2", name: "G. Hopper") { name }
        addReview(input: { upc: "1", authorId: "u2", body: "Fine.", rating: 4 }) { id }
        last: renameUser(id: "u2", name: "Grace B. Hopper") { name }
      }`),
      { first: { name: 'G. Hopper' }, addReview: { id: 'r4' }, last: { name: 'Grace B. Hopper' } },
    );
    expect(fixtures.state.mutationLog).toEqual(['accounts.renameUser(G. Hopper)', 'reviews.addReview', 'accounts.renameUser(Grace B. Hopper)']);
  });

  test('a variable of the wrong type is refused before any subgraph is asked', async () => {
    const { status, body } = await fed.query('query Top($first: Int) { topProducts(first: $first) { upc } }', { first: 'three' });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.map((error) => error.message)).toEqual(['Variable "$first" got invalid value "three"; Int cannot represent non-integer value: "three"']);
    expect(received('products')).toHaveLength(0);
  });

  test('introspection beside data; a subgraph error at the client\'s path, null propagated to the root', async () => {
    expectData(await fed.query('{ __typename __type(name: "Product") { name } topProducts(first: 1) { upc } }'), {
      __typename: 'Query',
      __type: { name: 'Product' },
      topProducts: [{ upc: '1' }],
    });
    // inventory cannot resolve product 2's inStock (non-null): its error comes back at the client's path, null propagates to the root.
    delete fixtures.state.stock['2'];
    const { body } = await fed.query('{ topProducts(first: 2) { upc inStock } }');
    expect(body.data).toBeNull();
    expect(body.errors?.map((error) => ({ path: error.path, serviceName: error.extensions?.serviceName }))).toEqual([
      { path: ['topProducts', 1, 'inStock'], serviceName: 'inventory' },
    ]);
  });

  test('an entity referenced twice in a list: answered for both, asked for once by meshgate; its error is at both paths', async () => {
    expectData(await fed.query('{ reviews { id product { upc inStock } } }'), {
      reviews: [
        { id: 'r1', product: { upc: '1', inStock: true } },
        { id: 'r2', product: { upc: '1', inStock: true } },
        { id: 'r3', product: { upc: '2', inStock: false } },
      ],
    });
    // @apollo/gateway sends product 1 once per review; meshgate sends each distinct representation once.
    const sent = executor === 'meshgate' ? ['1', '2'] : ['1', '1', '2'];
    expect(entityFetches(fed.subgraphs.inventory)).toEqual([sent.map((upc) => ({ __typename: 'Product', upc }))]);

    delete fixtures.state.stock['1'];
    const { body } = await fed.query('{ reviews { id product { upc inStock } } }');
    expect(body.data).toBeNull();
    expect(body.errors?.map((error) => ({ path: error.path, serviceName: error.extensions?.serviceName }))).toEqual([
      { path: ['reviews', 0, 'product', 'inStock'], serviceName: 'inventory' },
      { path: ['reviews', 1, 'product', 'inStock'], serviceName: 'inventory' },
    ]);
  });
});

describe.each(executors)('Federation 1 subgraphs through the gateway (%s executor)', (executor) => {
  let fed: Federation;

  beforeAll(async () => {
    fed = await startFederation(createFederation1Fixtures(), executor);
  });
  afterAll(async () => {
    await fed?.stop();
  });

  test('an entity extended with `extend type ... @key` and @external is joined across subgraphs', async () => {
    expectData(await fed.query('{ users { name orders { id total } } }'), {
      users: [
        { name: 'Linus', orders: [{ id: 'o1', total: 120 }, { id: 'o3', total: 30 }] },
        { name: 'Margaret', orders: [{ id: 'o2', total: 75 }] },
      ],
    });
    expect(entityFetches(fed.subgraphs.legacyOrders)).toEqual([
      [
        { __typename: 'User', id: '1' },
        { __typename: 'User', id: '2' },
      ],
    ]);

    expectData(await fed.query('{ orders { id buyer { name } } }'), {
      orders: [
        { id: 'o1', buyer: { name: 'Linus' } },
        { id: 'o2', buyer: { name: 'Margaret' } },
        { id: 'o3', buyer: { name: 'Linus' } },
      ],
    });
  });
});
