/**
 * Combines the operations of several entity fetches to one subgraph into one
 * operation: each part's `_entities` field under an alias of its own, reading
 * its representations from a variable of its own, so one request answers them
 * all and the answer splits back per part by alias.
 *
 * Guarantees: the combined operation selects exactly the union of the parts'
 * selections (each part's selection set is copied unchanged; its fragments are
 * copied under names of their own), so it never asks the subgraph for a field
 * that one of the parts did not ask for. Variables the parts share (the
 * client's) keep their names; a variable the parts declare with different
 * types makes the combination impossible (undefined), never a guess.
 *
 * Must never: combine anything but queries whose only root field is
 * `_entities(representations: $representations)`; it returns undefined for
 * anything else, and the fetches stay as the planner made them.
 *
 * Written by hand with graphql-js's AST: no library merges operations with
 * per-part aliases and variables.
 */
import {
  Kind,
  parse,
  print,
  stripIgnoredCharacters,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { FetchNode } from '@apollo/query-planner';

export type CombinedPart = {
  /** The response key of this part's `_entities` in the combined answer. */
  alias: string;
  /** The variable that carries this part's representations. */
  representationsVariable: string;
};

export type CombinedOperation = {
  operation: string;
  operationName: string;
  document: DocumentNode;
  /** The client's variables the combined operation reads (the union of the parts'). */
  variableUsages: string[];
  parts: CombinedPart[];
};

const ENTITIES = '_entities';
const REPRESENTATIONS = 'representations';

/** One operation answering every fetch in `fetches` (all to one subgraph), or undefined when they cannot be combined. */
export function combineEntityOperations(fetches: readonly FetchNode[]): CombinedOperation | undefined {
  if (fetches.length < 2) return undefined;
  const parsed = fetches.map((fetch) => entityOperation(fetch));
  if (parsed.some((part) => !part)) return undefined;
  const documents = parsed as { operation: OperationDefinitionNode; fragments: FragmentDefinitionNode[] }[];

  const taken = new Set<string>();
  for (const { operation } of documents) for (const definition of operation.variableDefinitions ?? []) taken.add(definition.variable.name.value);
  const unique = (base: string) => {
    let name = base;
    for (let n = 1; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    return name;
  };

  const variables = new Map<string, VariableDefinitionNode>();
  const selections: FieldNode[] = [];
  const fragments: FragmentDefinitionNode[] = [];
  const parts: CombinedPart[] = [];
  for (const [index, { operation, fragments: ownFragments }] of documents.entries()) {
    const alias = `${ENTITIES}_${index}`;
    const representationsVariable = unique(`${REPRESENTATIONS}_${index}`);
    parts.push({ alias, representationsVariable });
    const renamedFragments = new Map(ownFragments.map((fragment) => [fragment.name.value, `${fragment.name.value}__${index}`]));
    const rename = <T extends object>(node: T): T =>
      visit(node as never, {
        FragmentSpread: (spread) => ({ ...spread, name: { ...spread.name, value: renamedFragments.get(spread.name.value) ?? spread.name.value } }),
        FragmentDefinition: (definition) => ({ ...definition, name: { ...definition.name, value: renamedFragments.get(definition.name.value)! } }),
        Variable: (variable) => (variable.name.value === REPRESENTATIONS ? { ...variable, name: { ...variable.name, value: representationsVariable } } : undefined),
      }) as T;

    for (const definition of operation.variableDefinitions ?? []) {
      const renamed = rename(definition);
      const name = renamed.variable.name.value;
      const known = variables.get(name);
      if (known && print(known) !== print(renamed)) return undefined;
      variables.set(name, renamed);
    }
    const entities = operation.selectionSet.selections[0] as FieldNode;
    selections.push({ ...rename(entities), alias: { kind: Kind.NAME, value: alias } });
    for (const fragment of ownFragments) fragments.push(rename(fragment));
  }

  const operationName = `${fetches[0].operationName ?? 'entities'}__merged_${fetches.length}`;
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: 'query' as never,
        name: { kind: Kind.NAME, value: operationName },
        variableDefinitions: [...variables.values()],
        selectionSet: { kind: Kind.SELECTION_SET, selections },
      },
      ...fragments,
    ],
  };
  const operation = stripIgnoredCharacters(print(document));
  const variableUsages = [...new Set(fetches.flatMap((fetch) => fetch.variableUsages ?? []))];
  return { operation, operationName, document: parse(operation), variableUsages, parts };
}

/** The operation of an entity fetch, if it is exactly `query($representations: ...) { _entities(representations: $representations) { ... } }`. */
function entityOperation(fetch: FetchNode): { operation: OperationDefinitionNode; fragments: FragmentDefinitionNode[] } | undefined {
  if (!fetch.requires || fetch.operationKind !== 'query' || fetch.contextRewrites?.length || fetch.hasDefers) return undefined;
  const document = fetch.operationDocumentNode ?? parse(fetch.operation);
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0].operation !== 'query' || operations[0].directives?.length) return undefined;
  const [operation] = operations;
  const [root, ...others] = operation.selectionSet.selections;
  if (others.length || root.kind !== Kind.FIELD || root.name.value !== ENTITIES || root.alias || root.directives?.length) return undefined;
  const argument = root.arguments?.length === 1 ? root.arguments[0] : undefined;
  if (argument?.name.value !== REPRESENTATIONS || argument.value.kind !== Kind.VARIABLE || argument.value.name.value !== REPRESENTATIONS) return undefined;
  const fragments = document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION);
  if (fragments.length + 1 !== document.definitions.length) return undefined;
  return { operation, fragments };
}
