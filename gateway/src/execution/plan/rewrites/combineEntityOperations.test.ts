import { parse } from 'graphql';
import type { FetchNode } from '@apollo/query-planner';
import { combineEntityOperations } from './combineEntityOperations';

const KEY = [{ kind: 'InlineFragment' as const, typeCondition: 'T', selections: [{ kind: 'Field' as const, name: 'id' }] }];

function entityFetch(operation: string, variableUsages: string[] = []): FetchNode {
  const name = /query (\w+)/.exec(operation)?.[1];
  return { kind: 'Fetch', serviceName: 's', requires: KEY, operation, operationName: name, operationKind: 'query' as never, variableUsages, operationDocumentNode: parse(operation) };
}

test('two entity fetches become one operation with one aliased _entities and one representations variable each', () => {
  const combined = combineEntityOperations([
    entityFetch('query A__s__1($representations:[_Any!]!){_entities(representations:$representations){...on Order{payment{amount}}}}'),
    entityFetch('query A__s__2($representations:[_Any!]!){_entities(representations:$representations){...on Customer{balance}}}'),
  ])!;
  expect(combined.operation).toBe(
    'query A__s__1__merged_2($representations_0:[_Any!]!$representations_1:[_Any!]!){_entities_0:_entities(representations:$representations_0){...on Order{payment{amount}}}_entities_1:_entities(representations:$representations_1){...on Customer{balance}}}',
  );
  expect(combined.parts).toEqual([
    { alias: '_entities_0', representationsVariable: 'representations_0' },
    { alias: '_entities_1', representationsVariable: 'representations_1' },
  ]);
});

test("the client's variables are shared by name, a clashing name gets a fresh representations variable, fragments are renamed per part", () => {
  const combined = combineEntityOperations([
    entityFetch('query A($representations:[_Any!]!$unit:Unit){_entities(representations:$representations){...F}}fragment F on P{weight(unit:$unit)}', ['unit']),
    entityFetch('query B($representations:[_Any!]!$representations_1:Int$unit:Unit){_entities(representations:$representations){...F}}fragment F on Q{size(unit:$unit) n(x:$representations_1)}', ['unit', 'representations_1']),
  ])!;
  expect(combined.variableUsages).toEqual(['unit', 'representations_1']);
  expect(combined.parts.map((part) => part.representationsVariable)).toEqual(['representations_0', 'representations_1_1']);
  expect(combined.operation).toContain('_entities_0:_entities(representations:$representations_0){...F__0}');
  expect(combined.operation).toContain('_entities_1:_entities(representations:$representations_1_1){...F__1}');
  expect(combined.operation).toContain('fragment F__0 on P{weight(unit:$unit)}');
  expect(combined.operation).toContain('fragment F__1 on Q{size(unit:$unit)n(x:$representations_1)}');
});

test('a variable declared with two types, a root fetch, a mutation or a single fetch cannot be combined', () => {
  const a = entityFetch('query A($representations:[_Any!]!$u:Unit){_entities(representations:$representations){...on P{w(u:$u)}}}', ['u']);
  const b = entityFetch('query B($representations:[_Any!]!$u:Unit!){_entities(representations:$representations){...on P{v(u:$u)}}}', ['u']);
  expect(combineEntityOperations([a, b])).toBeUndefined();
  const root: FetchNode = { kind: 'Fetch', serviceName: 's', operation: '{me{id}}', operationName: undefined, operationKind: 'query' as never };
  expect(combineEntityOperations([a, root])).toBeUndefined();
  expect(combineEntityOperations([a, { ...a, operationKind: 'mutation' as never }])).toBeUndefined();
  expect(combineEntityOperations([a])).toBeUndefined();
});

test('the combined operation never selects anything a part did not', () => {
  const parts = [
    entityFetch('query A($representations:[_Any!]!){_entities(representations:$representations){...on Order{id total}}}'),
    entityFetch('query B($representations:[_Any!]!){_entities(representations:$representations){...on Customer{name}}}'),
  ];
  const fields = (operation: string) => [...operation.matchAll(/[{ ]([a-z]\w*)(?=[{} ])/g)].map((match) => match[1]).filter((f) => f !== 'on').sort();
  expect(fields(combineEntityOperations(parts)!.operation)).toEqual([...fields(parts[0].operation), ...fields(parts[1].operation)].sort());
});
