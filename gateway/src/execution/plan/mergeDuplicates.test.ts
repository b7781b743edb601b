import type { GraphQLError } from 'graphql';
import { mergeDuplicates } from './mergeDuplicates';

const duplicate = { path: [], key: 'parcels', alias: 'parcels__meshgate_requires_1', required: ['weight'] };

test("the copy's fields go back into the client's objects, position by position; the required field's other value does not count", () => {
  const data = {
    parcels: [{ __typename: 'Parcel', id: 'p1', weight: 2.5, estimate: 6 }, null],
    parcels__meshgate_requires_1: [{ __typename: 'Parcel', id: 'p1', weight: 2500, packaging: 25 }, null],
  };
  const errors: GraphQLError[] = [];
  mergeDuplicates(data, [duplicate], errors);
  expect(errors).toEqual([]);
  expect(data).toEqual({ parcels: [{ __typename: 'Parcel', id: 'p1', weight: 2500, estimate: 6, packaging: 25 }, null] });
});

test('a copy that is not the same entities (another id, another length) is left out, with an error at the field', () => {
  for (const copy of [[{ __typename: 'Parcel', id: 'p2', packaging: 8 }], [{ __typename: 'Parcel', id: 'p1', packaging: 25 }, { id: 'p2' }]]) {
    const data: Record<string, any> = { parcels: [{ __typename: 'Parcel', id: 'p1', estimate: 6 }], parcels__meshgate_requires_1: copy };
    const errors: GraphQLError[] = [];
    mergeDuplicates(data, [duplicate], errors);
    expect(data).toEqual({ parcels: [{ __typename: 'Parcel', id: 'p1', estimate: 6 }] });
    expect(errors.map((error) => error.path)).toEqual([['parcels']]);
  }
});
