import { parse } from 'graphql';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { mergeSiblingFetches } from './mergeSiblingFetches';
import type { MergedFetchNode } from './MergedFetchNode';

const KEY = [{ kind: 'InlineFragment' as const, typeCondition: 'T', selections: [{ kind: 'Field' as const, name: 'id' }] }];

function entity(serviceName: string, field: string): FetchNode {
  const operation = `query Q__${serviceName}__${field}($representations:[_Any!]!){_entities(representations:$representations){...on T{${field}}}}`;
  return { kind: 'Fetch', serviceName, requires: KEY, operation, operationName: `Q__${serviceName}__${field}`, operationKind: 'query' as never, operationDocumentNode: parse(operation) };
}
const at = (path: string, node: PlanNode): PlanNode => ({ kind: 'Flatten', path: path.split('.'), node });
const root: FetchNode = { kind: 'Fetch', serviceName: 'sales', operation: '{orders{id}}', operationName: undefined, operationKind: 'query' as never };

test('sibling entity fetches to one subgraph in a Parallel become one merged fetch, at the first one\'s place; others stay', () => {
  const payment = at('orders.@', entity('finance', 'payment'));
  const transactions = at('orders.@.customer', entity('finance', 'transactions'));
  const customer = at('orders.@.customer', entity('customers', 'name'));
  const plan: PlanNode = { kind: 'Sequence', nodes: [root, { kind: 'Parallel', nodes: [payment, customer, transactions] }] };
  const rewritten = mergeSiblingFetches(plan) as unknown as { nodes: [FetchNode, { kind: 'Parallel'; nodes: [MergedFetchNode, PlanNode] }] };
  expect(rewritten.nodes[0]).toBe(root);
  const [merged, kept] = rewritten.nodes[1].nodes;
  expect(merged.kind).toBe('MergedFetch');
  expect(merged.serviceName).toBe('finance');
  expect(merged.parts.map((part) => part.path.join('.'))).toEqual(['orders.@', 'orders.@.customer']);
  expect(merged.parts.map((part) => part.fetch)).toEqual([(payment as { node: FetchNode }).node, (transactions as { node: FetchNode }).node]);
  expect(kept).toEqual(customer);
});

test('a Parallel left with one node is replaced by it; a nested Parallel merges with its siblings', () => {
  const plan: PlanNode = { kind: 'Parallel', nodes: [at('a', entity('s', 'x')), { kind: 'Parallel', nodes: [at('b', entity('s', 'y'))] }] };
  const rewritten = mergeSiblingFetches(plan) as MergedFetchNode;
  expect(rewritten.kind).toBe('MergedFetch');
  expect(rewritten.parts.map((part) => part.path)).toEqual([['a'], ['b']]);
});

test('fetches in sequence, under different conditions, to different subgraphs, or that cannot be combined are left alone', () => {
  const sequence: PlanNode = { kind: 'Sequence', nodes: [at('a', entity('s', 'x')), at('b', entity('s', 'y'))] };
  expect(mergeSiblingFetches(sequence)).toEqual(sequence);
  const conditions: PlanNode = {
    kind: 'Parallel',
    nodes: [
      { kind: 'Condition', condition: 'c', ifClause: at('a', entity('s', 'x')) },
      { kind: 'Condition', condition: 'c', ifClause: at('b', entity('s', 'y')) },
    ],
  };
  expect(mergeSiblingFetches(conditions)).toEqual(conditions);
  const services: PlanNode = { kind: 'Parallel', nodes: [at('a', entity('s', 'x')), at('a', entity('t', 'x'))] };
  expect(mergeSiblingFetches(services)).toEqual(services);
  const conflicting = (type: string): FetchNode => {
    const operation = `query Q($representations:[_Any!]!$u:${type}){_entities(representations:$representations){...on T{w(u:$u)}}}`;
    return { ...entity('s', 'w'), operation, operationDocumentNode: parse(operation), variableUsages: ['u'] };
  };
  const clash: PlanNode = { kind: 'Parallel', nodes: [at('a', conflicting('U')), at('b', conflicting('U!'))] };
  expect(mergeSiblingFetches(clash)).toEqual(clash);
});
