import { parse } from 'graphql';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { joinSiblingSequences } from './joinSiblingSequences';
import { rewritePlan } from '.';

const KEY = [{ kind: 'InlineFragment' as const, typeCondition: 'T', selections: [{ kind: 'Field' as const, name: 'id' }] }];

function entity(serviceName: string, field: string, variable = ''): FetchNode {
  const operation = `query Q__${serviceName}__${field}($representations:[_Any!]!${variable}){_entities(representations:$representations){...on T{${field}}}}`;
  return { kind: 'Fetch', serviceName, requires: KEY, operation, operationName: `Q__${serviceName}__${field}`, operationKind: 'query' as never, operationDocumentNode: parse(operation) };
}
const at = (path: string, node: PlanNode): PlanNode => ({ kind: 'Flatten', path: path.split('.'), node });

test('a lone fetch joins the step of a sibling Sequence that fetches from the same subgraph; the merge then sends them as one', () => {
  const a = at('orders.@.customer', entity('customers', 'name'));
  const b = at('orders.@', entity('marketing', 'conversion'));
  const c = at('orders.@.conversion.customer', entity('customers', 'segment'));
  const d = at('orders.@', entity('finance', 'payment'));
  const plan: PlanNode = { kind: 'Parallel', nodes: [a, { kind: 'Sequence', nodes: [b, c] }, d] };
  expect(joinSiblingSequences(plan)).toEqual({ kind: 'Parallel', nodes: [{ kind: 'Sequence', nodes: [b, { kind: 'Parallel', nodes: [c, a] }] }, d] });
  const rewritten = rewritePlan(plan) as unknown as { nodes: [{ nodes: [PlanNode, { kind: string; parts: { path: string[] }[] }] }, PlanNode] };
  expect(rewritten.nodes[0].nodes[1].kind).toBe('MergedFetch');
  expect(rewritten.nodes[0].nodes[1].parts.map((part) => part.path.join('.'))).toEqual(['orders.@.conversion.customer', 'orders.@.customer']);
});

test('nothing moves into a Condition, out of a Sequence, or where it could not be merged', () => {
  const lone = at('a', entity('s', 'x'));
  const conditional: PlanNode = { kind: 'Parallel', nodes: [lone, { kind: 'Sequence', nodes: [at('b', entity('t', 'y')), { kind: 'Condition', condition: 'c', ifClause: at('c', entity('s', 'z')) }] }] };
  expect(joinSiblingSequences(conditional)).toEqual(conditional);
  const stepOfSequence: PlanNode = { kind: 'Parallel', nodes: [{ kind: 'Sequence', nodes: [at('a', entity('s', 'x')), at('b', entity('t', 'y'))] }, { kind: 'Sequence', nodes: [at('c', entity('u', 'z')), at('d', entity('s', 'w'))] }] };
  expect(joinSiblingSequences(stepOfSequence)).toEqual(stepOfSequence);
  const clash: PlanNode = { kind: 'Parallel', nodes: [at('a', entity('s', 'x', '$v:Int')), { kind: 'Sequence', nodes: [at('b', entity('t', 'y')), at('c', entity('s', 'z', '$v:Int!'))] }] };
  expect(joinSiblingSequences(clash)).toEqual(clash);
});
