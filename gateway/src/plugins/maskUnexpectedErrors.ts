/**
 * The error policy of responses: errors that carry one of our codes or a
 * GraphQL code are shown as they are (without a stack trace: it would say
 * nothing to the client); anything unexpected is logged whole and, in
 * production, shown only as INTERNAL_SERVER_ERROR without its message.
 */
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger';

export function maskUnexpectedErrors(mode: 'development' | 'production', logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      if (!formatted.extensions?.stacktrace) return formatted;
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
      return { ...formatted, extensions };
    }
    logger.error({ err: error, path: formatted.path }, 'unexpected error in a GraphQL request');
    if (mode === 'development') return formatted;
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
