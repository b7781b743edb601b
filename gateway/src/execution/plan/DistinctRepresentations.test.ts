import { DistinctRepresentations } from './DistinctRepresentations';

/** The index each representation is sent under, given them in order. */
function indexes(representations: Record<string, unknown>[]): number[] {
  const distinct = new DistinctRepresentations();
  let sent = 0;
  return representations.map((representation) => {
    const index = distinct.indexFor(representation, sent);
    if (index === sent) sent++;
    return index;
  });
}

test('equal representations get the first one\'s index; others get the next', () => {
  expect(indexes([
    { __typename: 'Customer', id: '1' },
    { __typename: 'Customer', id: '2' },
    { __typename: 'Customer', id: '1' },
    { __typename: 'Order', id: '1' },
    { __typename: 'Customer', id: '2' },
  ])).toEqual([0, 1, 0, 2, 1]);
});

test('values are compared by type as well: "1" is not 1, null is a value of its own', () => {
  expect(indexes([{ __typename: 'T', id: '1' }, { __typename: 'T', id: 1 }, { __typename: 'T', id: null }, { __typename: 'T', id: 1 }])).toEqual([0, 1, 2, 1]);
});

test('a representation with more fields is not equal to its prefix', () => {
  expect(indexes([{ __typename: 'T', id: '1' }, { __typename: 'T', id: '1', weight: 2 }, { __typename: 'T', id: '1' }])).toEqual([0, 1, 0]);
});

test('composite keys (objects, lists) are compared by their JSON text', () => {
  expect(indexes([
    { __typename: 'Line', order: { id: '1' }, lineNo: 1 },
    { __typename: 'Line', order: { id: '1' }, lineNo: 2 },
    { __typename: 'Line', order: { id: '1' }, lineNo: 1 },
    { __typename: 'Tagged', tags: ['a', 'b'] },
    { __typename: 'Tagged', tags: ['a', 'b'] },
  ])).toEqual([0, 1, 0, 2, 2]);
});
