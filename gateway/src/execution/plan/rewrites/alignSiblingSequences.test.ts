import { parse } from 'graphql';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { alignSiblingSequences } from './alignSiblingSequences';
import { rewritePlan } from '.';

const KEY = [{ kind: 'InlineFragment' as const, typeCondition: 'T', selections: [{ kind: 'Field' as const, name: 'id' }] }];

function entity(serviceName: string, field: string, variable = ''): FetchNode {
  const operation = `query Q__${serviceName}__${field}($representations:[_Any!]!${variable}){_entities(representations:$representations){...on T{${field}}}}`;
  return { kind: 'Fetch', serviceName, requires: KEY, operation, operationName: `Q__${serviceName}__${field}`, operationKind: 'query' as never, operationDocumentNode: parse(operation) };
}
const at = (path: string, node: PlanNode): PlanNode => ({ kind: 'Flatten', path: path.split('.'), node });
const sequence = (...nodes: PlanNode[]): PlanNode => ({ kind: 'Sequence', nodes });
const parallel = (...nodes: PlanNode[]): PlanNode => ({ kind: 'Parallel', nodes });

test('two Sequences that fetch from one subgraph at the same step run step by step together; the merge then sends one request', () => {
  const a = at('orders.@.customer', entity('customers', 'tier'));
  const x = at('orders.@', entity('pricing', 'discount'));
  const b = at('orders.@.lines.@.product', entity('products', 'price'));
  const y = at('orders.@', entity('pricing', 'subtotal'));
  const lone = at('orders.@', entity('logistics', 'shipment'));
  const plan = parallel(sequence(a, x), sequence(b, y), lone);
  expect(alignSiblingSequences(plan)).toEqual(parallel(sequence(parallel(a, b), parallel(x, y)), lone));
  const rewritten = rewritePlan(plan) as unknown as { nodes: [{ nodes: [PlanNode, { kind: string; parts: unknown[] }] }] };
  expect(rewritten.nodes[0].nodes[1]).toEqual(expect.objectContaining({ kind: 'MergedFetch', parts: expect.arrayContaining([expect.anything(), expect.anything()]) }));
});

test('aligned only up to the first step that merges; what follows stays in its own Sequence, and may align again', () => {
  const [a, x, c] = [at('a', entity('s1', 'a')), at('a', entity('s', 'x')), at('a', entity('s3', 'c'))];
  const [b, y, d, z] = [at('b', entity('s2', 'b')), at('b', entity('s', 'y')), at('b', entity('s4', 'd')), at('b', entity('s', 'z'))];
  expect(alignSiblingSequences(parallel(sequence(a, x, c), sequence(b, y, d, z)))).toEqual(sequence(parallel(a, b), parallel(x, y), parallel(c, sequence(d, z))));
});

test('nothing is aligned that would not merge: other subgraphs, operations that cannot combine, Conditions', () => {
  const keep = (plan: PlanNode) => expect(alignSiblingSequences(plan)).toEqual(plan);
  keep(parallel(sequence(at('a', entity('s1', 'a')), at('a', entity('s', 'x'))), sequence(at('b', entity('s2', 'b')), at('b', entity('t', 'y')))));
  keep(parallel(sequence(at('a', entity('s1', 'a')), at('a', entity('s', 'x', '$v:Int'))), sequence(at('b', entity('s2', 'b')), at('b', entity('s', 'y', '$v:Int!')))));
  keep(parallel(sequence(at('a', entity('s1', 'a')), { kind: 'Condition', condition: 'c', ifClause: at('a', entity('s', 'x')) }), sequence(at('b', entity('s2', 'b')), at('b', entity('s', 'y')))));
});
