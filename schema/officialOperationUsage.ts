/**
 * Official operations as known usage, for `npm run check` (check.ts): the
 * coordinates each official operation uses (gateway/src/operations/operationUsage.ts,
 * read against the current supergraph) and whether each still validates
 * against the candidate. A breaking change to a used coordinate is an error
 * naming the operations and their owners; a removed field no official
 * operation uses is only a warning (sandbox queries may still use it, and the
 * check cannot know them).
 */
import { parse, validate, type GraphQLSchema } from 'graphql';
import type { OfficialOperation } from '../gateway/src/operations/officialOperations';

export { usageOf, type Usage } from '../gateway/src/operations/operationUsage';

/** "Revenue (owner marketing, operations/marketing/Revenue.graphql)" */
export const describeOperation = (operation: OfficialOperation) => `${operation.name} (owner ${operation.owner}, operations/${operation.file})`;

/** The official operations that no longer validate against `schema`, each with its errors. */
export function brokenOperations(operations: readonly OfficialOperation[], schema: GraphQLSchema): { operation: OfficialOperation; errors: string[] }[] {
  return operations.flatMap((operation) => {
    const errors = validate(schema, parse(operation.document)).map((error) => error.message);
    return errors.length ? [{ operation, errors }] : [];
  });
}
