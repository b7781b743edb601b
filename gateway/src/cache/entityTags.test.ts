import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print } from 'graphql';
import { apiSchema } from '../limits/testing';
import { boundTags, collectTags, invalidationTagsOf, withTagFields } from './entityTags';
import { readEntities } from './supergraphEntities';

const entities = readEntities(readFileSync(join(__dirname, '../../../schema/supergraph.graphql'), 'utf8'));
const tagged = (query: string) => print(withTagFields(parse(query), apiSchema(), entities));

test('the supergraph gives each entity type its keys and the domains that own its fields', () => {
  expect(entities.get('Order')).toEqual({ keys: [['id']], owners: ['finance', 'logistics', 'marketing', 'sales'] });
  expect(entities.get('Customer')?.owners).toEqual(['customers', 'finance', 'sales']);
  expect(entities.has('OrderConnection')).toBe(false);
});

test('tag fields: __typename on entity selections, key fields only where the selection already has them', () => {
  const query = tagged('{ orders(first: 2) { totalCount edges { node { id total customer { segment } } } } }');
  expect(query).toContain('node {\n        id\n        total\n        customer {\n          segment\n          mg__c_tn: __typename\n        }\n        mg__c_tn: __typename\n        mg__c_k_id: id\n      }');
  // Nothing else is added: no selection gains a field it did not select, besides __typename.
  expect(query.match(/mg__c_k_/g)).toHaveLength(1);
  expect(query.match(/mg__c_tn/g)).toHaveLength(2);
  // An operation on no entity type stays the very same document.
  const plain = parse('{ __typename }');
  expect(withTagFields(plain, apiSchema(), entities)).toBe(plain);
});

test('collectTags reads entities, removes the helpers in place, and marks entities without a readable key', () => {
  const data = {
    orders: [
      { id: '1', mg__c_tn: 'Order', mg__c_k_id: '1', customer: { segment: 'X', mg__c_tn: 'Customer' } },
      { id: '2', mg__c_tn: 'Order', mg__c_k_id: '2', customer: null },
    ],
  };
  expect([...collectTags(data, entities)].sort()).toEqual(['e:Order:{"id":"1"}', 'e:Order:{"id":"2"}', 't:Customer', 't:Order', 'u:Customer']);
  expect(data).toEqual({ orders: [{ id: '1', customer: { segment: 'X' } }, { id: '2', customer: null }] });
});

test('too many entity tags collapse into their type, which still matches any entity invalidation', () => {
  const tags = new Set(['t:Order', ...Array.from({ length: 10 }, (_, i) => `e:Order:{"id":"${i}"}`)]);
  expect([...boundTags(tags, 5)].sort()).toEqual(['t:Order', 'u:Order']);
  expect(boundTags(tags, 50)).toBe(tags);
});

test('a mutation invalidates each returned entity, and the whole type where it could not read the key', () => {
  expect(invalidationTagsOf(new Set(['e:Order:{"id":"1"}', 't:Order', 'u:Customer', 't:Customer'])).sort()).toEqual(['e:Order:{"id":"1"}', 't:Customer', 'u:Order']);
});
