import { parse } from 'graphql';
import { apiSchema, limits } from '../testing';
import { tokenCountOf, TokensRule } from './TokensRule';

const schema = apiSchema();

test('counts the tokens the parser read, comments excluded', () => {
  // {  products  (  first  :  1  )  {  totalCount  }  }
  expect(tokenCountOf(parse('{ products(first: 1) { totalCount } } # a comment'))).toBe(11);
  expect(tokenCountOf(parse('{ products { totalCount } }', { noLocation: true }))).toBeUndefined();
});

test("over the principal's limit names it", () => {
  const document = parse(`{ products { ${'totalCount '.repeat(100)} } }`);
  expect(TokensRule(document, schema, {}, limits({ maxTokens: 50 }))).toEqual({ limit: 'maxTokens', max: 50, actual: 105, message: 'The query has 105 tokens, more than the limit of 50' });
  expect(TokensRule(document, schema, {}, limits({ maxTokens: 105 }))).toBeNull();
});
