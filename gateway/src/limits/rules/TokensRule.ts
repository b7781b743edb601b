/**
 * Tokens: the lexical tokens of the whole document (names, punctuation, values;
 * comments do not count, as for graphql-js's parser limit). The parser already
 * stopped at the most generous role's limit (`parseTimeMaxTokens`), so this
 * only applies the principal's own, lower one. It walks the parser's token
 * list, so it needs a document parsed with locations (Apollo Server's are);
 * without them it has nothing to count and reports nothing.
 */
import { TokenKind, type Token } from 'graphql';
import type { LimitRule } from './operation';

/** The number of tokens the parser read for this document, or undefined without locations. */
export function tokenCountOf(document: Parameters<LimitRule>[0]): number | undefined {
  let token: Token | null | undefined = document.loc?.startToken;
  if (!token) return undefined;
  let count = 0;
  for (; token; token = token.next) {
    if (token.kind !== TokenKind.SOF && token.kind !== TokenKind.EOF && token.kind !== TokenKind.COMMENT) count += 1;
  }
  return count;
}

/** Reports a document with more tokens than `maxTokens`. */
export const TokensRule: LimitRule = (document, _schema, _variables, limits) => {
  const actual = tokenCountOf(document);
  if (actual === undefined || actual <= limits.maxTokens) return null;
  return { limit: 'maxTokens', max: limits.maxTokens, actual, message: `The query has ${actual} tokens, more than the limit of ${limits.maxTokens}` };
};
