import { parse } from 'graphql';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { dropRedundantFetches } from './dropRedundantFetches';

function fetch(serviceName: string, operation: string, operationKind = 'query'): FetchNode {
  return { kind: 'Fetch', serviceName, operation, operationName: undefined, operationKind: operationKind as never, operationDocumentNode: parse(operation) };
}
const root = (serviceName: string, selection: string) => fetch(serviceName, `{${selection}}`);
const entity = (serviceName: string, selection: string, type = 'Video') => fetch(serviceName, `query($representations:[_Any!]!){_entities(representations:$representations){...on ${type}{${selection}}}}`);
const at = (path: string, node: PlanNode): PlanNode => ({ kind: 'Flatten', path: path.split('.'), node });
const sequence = (...nodes: PlanNode[]): PlanNode => ({ kind: 'Sequence', nodes });
const parallel = (...nodes: PlanNode[]): PlanNode => ({ kind: 'Parallel', nodes });

const REQUIRES_NAME = at('me.videos.@', entity('artists', 'artist'));

test('an entity fetch of fields an earlier step already fetched at the same place is dropped', () => {
  const first = root('users', 'me{videos{__typename id name}}');
  expect(dropRedundantFetches(sequence(first, at('me.videos.@', entity('videos', 'name')), REQUIRES_NAME))).toEqual(sequence(first, REQUIRES_NAME));
  // Deeper selections, aliases and arguments count when they are the same.
  const deep = root('users', 'me{videos{__typename id meta{tags(first:2)} short:name}}');
  expect(dropRedundantFetches(sequence(deep, at('me.videos.@', entity('videos', 'meta{tags(first:2)} short:name'))))).toEqual(deep);
  // Covered by an earlier entity fetch at the same path, and by two fetches together.
  const byEntity = sequence(root('users', 'me{videos{__typename id}}'), at('me.videos.@', entity('videos', 'name')), at('me.videos.@', entity('clips', 'name')));
  expect(dropRedundantFetches(byEntity)).toEqual(sequence(root('users', 'me{videos{__typename id}}'), at('me.videos.@', entity('videos', 'name'))));
  const together = sequence(root('users', 'me{videos{__typename id name}}'), at('me.videos.@', entity('tags', 'tags')), at('me.videos.@', entity('videos', 'name tags')));
  expect(dropRedundantFetches(together)).toEqual(sequence(root('users', 'me{videos{__typename id name}}'), at('me.videos.@', entity('tags', 'tags'))));
});

test('nothing is dropped that a completed fetch did not surely select for the same objects', () => {
  const keep = (plan: PlanNode) => expect(dropRedundantFetches(plan)).toEqual(plan);
  // Not yet complete: beside it in a Parallel, or in a Condition that may not run.
  keep(parallel(root('users', 'me{videos{__typename id name}}'), at('me.videos.@', entity('videos', 'name'))));
  keep(sequence({ kind: 'Condition', condition: 'v', ifClause: root('users', 'me{videos{__typename id name}}') }, at('me.videos.@', entity('videos', 'name'))));
  // A field it also selects, other arguments, another alias, under @include, elsewhere in the response.
  keep(sequence(root('users', 'me{videos{__typename id name}}'), at('me.videos.@', entity('videos', 'name length'))));
  keep(sequence(root('users', 'me{videos{__typename id name(lang:"en")}}'), at('me.videos.@', entity('videos', 'name(lang:"fr")'))));
  keep(sequence(root('users', 'me{videos{__typename id title:name}}'), at('me.videos.@', entity('videos', 'name'))));
  keep(sequence(root('users', 'me{videos{__typename id name@include(if:$v)}}'), at('me.videos.@', entity('videos', 'name'))));
  keep(sequence(root('users', 'me{clips{__typename id name}}'), at('me.videos.@', entity('videos', 'name'))));
  // Selected for another type only, or for a type the fetch does not resolve.
  keep(sequence(root('users', 'me{videos{__typename id ...on Book{name}}}'), at('me.videos.@', entity('videos', 'name', 'Movie'))));
  keep(sequence(root('users', 'me{videos{__typename id}}'), at('me.videos.@', entity('videos', 'name', 'Book')), at('me.videos.@', entity('media', 'name', 'Movie'))));
  // Never a root fetch, a mutation, or a fetch with rewrites.
  keep(sequence(root('users', 'me{name}'), root('users', 'me{name}')));
  keep(sequence(root('users', 'me{videos{__typename id name}}'), at('me.videos.@', { ...entity('videos', 'name'), outputRewrites: [{ kind: 'KeyRenamer', path: ['name'], renameKeyTo: 'x' }] })));
});

test('a fragment on the fetched type counts, and a Sequence inside a Parallel sees what came before the Parallel', () => {
  const first = root('users', 'me{videos{__typename id ...on Video{name}}}');
  const inner = sequence(at('me.videos.@', entity('videos', 'name')), REQUIRES_NAME);
  expect(dropRedundantFetches(sequence(first, parallel(inner, at('me', entity('profiles', 'bio', 'User')))))).toEqual(sequence(first, parallel(REQUIRES_NAME, at('me', entity('profiles', 'bio', 'User')))));
});
