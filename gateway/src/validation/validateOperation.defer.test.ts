import { buildSchema, parse } from 'graphql';
import { validateOperation } from './validateOperation';

const schema = buildSchema('type Query { a: Int b: Int }  type Subscription { a: Int }');
const validate = validateOperation({ mode: 'development', introspection: 'always' });
const messages = (query: string) => validate({ document: parse(query), schema, principal: { kind: 'user' } as never }).map((error) => error.message);

test('@defer is validated as the incremental-delivery proposal declares it', () => {
  expect(messages('{ a ... @defer(label: "slow") { b } }')).toEqual([]);
  expect(messages('query($d: Boolean!) { a ... @defer(if: $d) { b } }')).toEqual([]);
  expect(messages('{ a ... @defer(if: "yes") { b } }')).toEqual([expect.stringContaining('Boolean cannot represent a non boolean value: "yes"')]);
  expect(messages('{ a @defer }')).toEqual(['Directive "@defer" may not be used on FIELD.']);
});

test('a subscription cannot use @defer: its events are never delivered in parts', () => {
  expect(messages('subscription { ... @defer { a } }')).toEqual(['Unknown directive "@defer".']);
});
