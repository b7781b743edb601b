import { ANONYMOUS, type Principal } from '../identity/principal';
import { authorizationFingerprint, namespaceFor, principalScope, stableStringify, Tags } from './keys';

const user = (overrides: Partial<Principal> = {}): Principal => ({ ...ANONYMOUS, id: 'alice', kind: 'user', authenticatedBy: 'jwt', roles: ['analyst'], scopes: ['pii:read'], domains: ['sales'], ...overrides });

test('the fingerprint ignores order, duplicates and identity, and changes with any right', () => {
  const base = authorizationFingerprint(user());
  expect(authorizationFingerprint(user({ id: 'bob', email: 'bob@x', roles: ['analyst', 'analyst'] }))).toBe(base);
  expect(authorizationFingerprint(user({ roles: ['a', 'b'] }))).toBe(authorizationFingerprint(user({ roles: ['b', 'a'] })));
  for (const other of [user({ roles: [] }), user({ scopes: [] }), user({ domains: ['finance'] }), user({ kind: 'service' }), ANONYMOUS]) {
    expect(authorizationFingerprint(other)).not.toBe(base);
  }
});

test('the principal scope adds the id to the fingerprint', () => {
  expect(principalScope(user())).not.toBe(principalScope(user({ id: 'bob' })));
  expect(principalScope(user()).startsWith(`${authorizationFingerprint(user())}:`)).toBe(true);
});

test('stableStringify sorts keys at every level and drops undefined', () => {
  expect(stableStringify({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  // Flat objects already in order take JSON.stringify's path; the text is the same either way.
  expect(stableStringify({ __typename: 'Customer', id: '42' })).toBe(stableStringify({ id: '42', __typename: 'Customer' }));
  expect(stableStringify({ id: '42', __typename: 'Customer' })).toBe('{"__typename":"Customer","id":"42"}');
  expect(stableStringify({ a: 1, b: undefined, c: null })).toBe('{"a":1,"c":null}');
});

test('the namespace changes with the schemas, not with the subgraph URLs', () => {
  const sdl = (url: string, field = 'id') => `enum join__Graph { A @join__graph(name: "a", url: "${url}") } type T { ${field}: ID }`;
  expect(namespaceFor('mg', sdl('http://one:1/graphql'))).toBe(namespaceFor('mg', sdl('http://two:2/graphql')));
  expect(namespaceFor('mg', sdl('http://one:1/graphql'))).not.toBe(namespaceFor('mg', sdl('http://one:1/graphql', 'uid')));
  expect(namespaceFor('mg', sdl('x'))).toMatch(/^mg:v1:[\w-]{12}:$/);
});

test('entity tags read keys as strings, whatever the client sent', () => {
  expect(Tags.entity('Order', { id: 7 })).toBe(Tags.entity('Order', { id: '7', __typename: 'Order' }));
  expect(Tags.entity('Order', { id: '7' })).toBe('e:Order:{"id":"7"}');
});

test('stableStringify writes a value nested 100,000 levels deep without running out of stack', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { b: deep, a: null };
  const text = stableStringify(deep);
  expect(text.startsWith('[{"a":null,"b":[{"a":null,"b":')).toBe(true);
  expect(text.length).toBeGreaterThan(800_000);
});

test('stableStringify gives equal values equal text, and different dates different text', () => {
  expect(stableStringify([undefined, { x: [1, 'a', true, null] }])).toBe('[null,{"x":[1,"a",true,null]}]');
  expect(stableStringify({ d: new Date(0) })).not.toBe(stableStringify({ d: new Date(1) }));
});

test('the principal scope changes with the email: a rule may read it', () => {
  expect(principalScope(user({ email: 'am03@x' }))).not.toBe(principalScope(user({ email: 'am07@x' })));
});
