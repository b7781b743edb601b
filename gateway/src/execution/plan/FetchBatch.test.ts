import { parse } from 'graphql';
import type { FetchNode } from '@apollo/query-planner';
import { FetchBatch } from './FetchBatch';
import { combineEntityOperations } from './rewrites/combineEntityOperations';

const KEY = [{ kind: 'InlineFragment' as const, typeCondition: 'T', selections: [{ kind: 'Field' as const, name: 'id' }] }];
const entity = (field: string): FetchNode => {
  const operation = `query Q($representations:[_Any!]!){_entities(representations:$representations){...on T{${field}}}}`;
  return { kind: 'Fetch', serviceName: 's', requires: KEY, operation, operationName: 'Q', operationKind: 'query' as never, operationDocumentNode: parse(operation) };
};
const fetches = [entity('a'), entity('b'), entity('c')];
const batchOf = (parts: number[]) => new FetchBatch(parts.length, (handed) => combineEntityOperations(handed.map((i) => fetches[parts[i]]))!);
const request = (part: number, representations: unknown[]) => ({ request: { query: fetches[part].operation, variables: { representations } } }) as never;

test('the parts handed over go out as one request; each gets its own _entities and errors back', async () => {
  const sent: any[] = [];
  const send = async (options: any) => {
    sent.push(options.request);
    return { data: { _entities_0: [{ a: 1 }], _entities_1: [{ b: 2 }, null] }, errors: [{ message: 'no b', path: ['_entities_1', 1, 'b'] }, { message: 'whole' }] } as never;
  };
  const batch = batchOf([0, 1]);
  const answers = await Promise.all([batch.via(0)(request(0, [{ id: 1 }]), send), batch.via(1)(request(1, [{ id: 1 }, { id: 2 }]), send)]);
  expect(sent).toHaveLength(1);
  expect(sent[0].variables).toEqual({ representations_0: [{ id: 1 }], representations_1: [{ id: 1 }, { id: 2 }] });
  expect(answers).toEqual([
    { data: { _entities: [{ a: 1 }] }, errors: [{ message: 'whole' }] },
    { data: { _entities: [{ b: 2 }, null] }, errors: [{ message: 'no b', path: ['_entities', 1, 'b'] }] },
  ]);
});

test('a part that needs no request (all cache hits) lets the others go; one left is sent as it is', async () => {
  const sent: any[] = [];
  const send = async (options: any) => (sent.push(options.request), { data: { _entities: [{ c: 3 }] } }) as never;
  const batch = batchOf([0, 2]);
  batch.finish();
  expect(await batch.via(1)(request(2, [{ id: 9 }]), send)).toEqual({ data: { _entities: [{ c: 3 }] } });
  expect(sent).toEqual([{ query: fetches[2].operation, variables: { representations: [{ id: 9 }] } }]);
});

test('a batch whose other part never comes goes out after a few milliseconds, and a late part is sent alone', async () => {
  const sent: any[] = [];
  const send = async (options: any) => (sent.push(options.request.variables), { data: { _entities: [{}] } }) as never;
  const batch = batchOf([0, 1]);
  await batch.via(0)(request(0, [{ id: 1 }]), send);
  await batch.via(1)(request(1, [{ id: 2 }]), send);
  expect(sent).toEqual([{ representations: [{ id: 1 }] }, { representations: [{ id: 2 }] }]);
});
