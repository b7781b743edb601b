/**
 * Receive stage: operations the gateway cannot serve yet are refused with a
 * clear HTTP 400 OPERATION_NOT_SUPPORTED, before validation (which would only
 * say "Unknown directive @defer") and before any execution stage (a
 * subscription reached authorization, which read the root fields of a type
 * the schema does not have, and answered 500).
 *
 * Not served this way: `subscription` operations (served over graphql-ws
 * and graphql-sse instead, subscriptions/, never as one JSON answer), and
 * `@defer` / `@stream` anywhere in the operation that runs, fragments included. Each fragment is looked at once, so this is linear in
 * the document and ends on fragment cycles. It looks only at the operation
 * that runs; another operation of the same document may be a subscription.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { meshError } from '../errors';

const STREAMING_DIRECTIVES = new Set(['stream']);

/** The first `@stream` in the selection, fragments followed once each; undefined when there is none. */
function streamingDirectiveIn(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): string | undefined {
  const pending: SelectionSetNode[] = [selectionSet];
  while (pending.length) {
    for (const selection of pending.pop()!.selections) {
      const directive = selection.directives?.find((candidate) => STREAMING_DIRECTIVES.has(candidate.name.value));
      if (directive) return directive.name.value;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          pending.push(fragment.selectionSet);
        }
      } else if (selection.selectionSet) pending.push(selection.selectionSet);
    }
  }
  return undefined;
}

/** The OPERATION_NOT_SUPPORTED error for the operation that runs, or none. */
export function rejectUnsupportedOperations({ document, operation }: { document: DocumentNode; operation?: OperationDefinitionNode }) {
  if (!operation) return [];
  if (operation.operation === 'subscription') {
    return [
      meshError('OPERATION_NOT_SUPPORTED', 'A subscription needs a streaming transport: GraphQL over WebSocket (graphql-ws, protocol graphql-transport-ws) or a POST with "Accept: text/event-stream" (graphql-sse) to /graphql, not a single JSON response.', {
        operation: 'subscription',
        http: { status: 400 },
      }),
    ];
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const directive = streamingDirectiveIn(operation.selectionSet, fragments, new Set());
  if (!directive) return [];
  return [
    meshError('OPERATION_NOT_SUPPORTED', `@${directive} is not supported yet: the gateway answers every operation in one response. Remove @${directive}; the fields then come in that response.`, {
      directive,
      http: { status: 400 },
    }),
  ];
}
