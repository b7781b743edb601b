/** Which deprecated data-product fields an operation uses (issue #5). */
import { buildSchema, parse } from 'graphql';
import { deprecationWarnings } from './useDeprecationWarnings';

const schema = buildSchema(`
  type Query { campaigns: [Campaign] orders: [Order] }
  type Campaign { id: ID name: String }
  type Order { id: ID total: Float campaign: Campaign }
`);
const reason = 'Data product marketing is deprecated: moving';
const deprecated = new Map(['Query.campaigns', 'Campaign.name', 'Order.campaign'].map((coordinate) => [coordinate, { product: 'marketing', reason }]));
const warningsOf = (source: string, operationName?: string) => deprecationWarnings(schema, parse(source), operationName, deprecated);

test('fields used directly, through fragments and inline fragments are reported once per product', () => {
  expect(warningsOf('{ orders { id ...A } } fragment A on Order { campaign { ... on Campaign { name id } } }')).toEqual([
    { code: 'DEPRECATED_DATA_PRODUCT', product: 'marketing', fields: ['Campaign.name', 'Order.campaign'], message: reason },
  ]);
});

test('no deprecated field, no warning; only the operation that runs counts', () => {
  expect(warningsOf('{ orders { id total } }')).toEqual([]);
  const document = 'query Orders { orders { id } } query Campaigns { campaigns { id } }';
  expect(warningsOf(document, 'Orders')).toEqual([]);
  expect(warningsOf(document, 'Campaigns')[0].fields).toEqual(['Query.campaigns']);
});
