/**
 * Test helpers for the limits stage: our real API schema (the composed
 * supergraph without its federation machinery, as clients see it) and principals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ANONYMOUS, type Principal } from '../identity/principal';
import { DEFAULT_LIMITS, type Limits } from './config';

let cached: GraphQLSchema | undefined;

/**
 * The API schema of schema/supergraph.graphql (built once per test file). Feature
 * checks are off: which `@link`ed features a router supports does not change
 * the API that clients see, and that is all the limits measure.
 */
export function apiSchema(): GraphQLSchema {
  const sdl = readFileSync(join(__dirname, '../../../schema/supergraph.graphql'), 'utf8');
  cached ??= Supergraph.build(sdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
  return cached;
}

export function principalWith(roles: string[], kind: Principal['kind'] = 'user'): Principal {
  return { ...ANONYMOUS, id: `user-${roles.join('-') || 'none'}`, kind, roles, authenticatedBy: 'jwt' };
}

export function limits(overrides: Partial<Limits> = {}): Limits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

/** Parses an operation and checks it is valid against the API schema, so tests measure only real queries. */
export function validOperation(source: string, schema: GraphQLSchema = apiSchema()): DocumentNode {
  const document = parse(source);
  const errors = validate(schema, document);
  if (errors.length) throw new Error(`invalid test operation: ${errors.map((error) => error.message).join('; ')}`);
  return document;
}
