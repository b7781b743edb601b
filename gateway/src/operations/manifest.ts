/**
 * The published form of the official operations: Apollo's persisted query
 * list manifest (https://www.apollographql.com/docs/graphos/platform/security/persisted-queries),
 * which Apollo Client's persisted-query link and Apollo's tooling read:
 *
 *   { "format": "apollo-persisted-query-manifest", "version": 1,
 *     "operations": [{ "id": "<sha256 of body>", "name": "Revenue", "type": "query", "body": "query Revenue ..." }] }
 *
 * Relay's persisted queries are a map of id to text: `relayPersistedQueries`
 * gives the same operations in that shape. Never includes anything but the
 * operations' documents (no owners or descriptions: the manifest is shipped
 * to clients).
 *
 * Written by hand because the format is four keys: Apollo's generator
 * (@apollo/generate-persisted-query-manifest) builds the list from client
 * code and adds `__typename` to every selection, which would change the
 * documents their owners reviewed and the ids clients run.
 */
import type { OfficialOperation } from './officialOperations';

export type PersistedQueryManifest = {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: { id: string; name: string; type: OfficialOperation['type']; body: string }[];
};

export function persistedQueryManifest(operations: readonly OfficialOperation[]): PersistedQueryManifest {
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: [...operations].sort((a, b) => a.name.localeCompare(b.name)).map(({ id, name, type, document }) => ({ id, name, type, body: document })),
  };
}

/** Relay's persisted-query file: { "<id>": "<document>" }. */
export function relayPersistedQueries(operations: readonly OfficialOperation[]): Record<string, string> {
  return Object.fromEntries(operations.map(({ id, document }) => [id, document]));
}
