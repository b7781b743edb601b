/**
 * Splits an operation with `@defer` into the operations meshgate runs for it: the primary operation (every
 * deferred fragment removed) and one operation per deferred fragment, which selects the path from the root
 * down to the fragment and the fragment's fields there. Each of them then takes the whole pipeline on its
 * own (authorization before planning, the query plan, completion), so a deferred payload is governed exactly
 * like a query of its own.
 *
 * Guarantees:
 * - nothing the client asked for is lost: a fragment that is not deferred keeps its fields in the operation
 *   it belongs to, and every payload together is the operation's answer;
 * - it defers only where that is safe, and otherwise delivers the fragment in its enclosing payload, as the
 *   incremental-delivery proposal allows a server to: never in a mutation (a deferred part would run the
 *   mutation again), never below a list (the second read could pair a part with the wrong item), never
 *   `@defer(if: false)`, nested `@defer` arrives with its enclosing fragment, and at most MAX_DEFERRED_PARTS parts;
 * - named fragments are inlined first (the operation limits have already bounded the expanded size), and
 *   each operation keeps only the variable definitions it uses.
 * It must never: change a field, alias, argument or directive other than removing `@defer`.
 */
import {
  BREAK,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  visit,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

export const MAX_DEFERRED_PARTS = 16;

export type DeferredPart = {
  label?: string;
  /** Response keys from the root to the object the fragment's fields belong to (no list on the way). */
  path: string[];
  document: DocumentNode;
};

export type DeferSplit = {
  primary: DocumentNode;
  deferred: DeferredPart[];
  /** Paths where the primary selects `__typename` only because every other field there was deferred; removed from its data. */
  placeholders: string[][];
};

type Step = FieldNode | InlineFragmentNode;
type Walk = { chain: Step[]; path: string[]; belowList: boolean };

const hasList = (type: GraphQLOutputType): boolean => isListType(isNonNullType(type) ? type.ofType : type);
const isDefer = (directive: DirectiveNode) => directive.name.value === 'defer';
const selections = (list: readonly SelectionNode[]): SelectionSetNode => ({ kind: Kind.SELECTION_SET, selections: list });
const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

const deferUse = new WeakMap<DocumentNode, boolean>();

/**
 * Whether the document uses `@defer` anywhere. Asked on every request: remembered per document object
 * (Apollo Server's document store hands the same object for the same query text), so a request pays one
 * lookup, not a walk of its document.
 */
export function usesDefer(document: DocumentNode): boolean {
  let found = deferUse.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Directive(node) {
        if (isDefer(node)) {
          found = true;
          return BREAK;
        }
        return undefined;
      },
    });
    deferUse.set(document, found);
  }
  return found;
}

/** The operation that runs: by name, or the only one. */
export function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((candidate) => candidate.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

/** Every fragment spread replaced by an inline fragment with the spread's directives. */
function inlineFragments(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, open: Set<string>): SelectionSetNode {
  return selections(
    selectionSet.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || open.has(name)) throw new Error(`Fragment "${name}" is unknown or spreads itself`);
        open.add(name);
        const inlined = inlineFragments(fragment.selectionSet, fragments, open);
        open.delete(name);
        return { kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: selection.directives, selectionSet: inlined };
      }
      if (!selection.selectionSet) return selection;
      return { ...selection, selectionSet: inlineFragments(selection.selectionSet, fragments, open) } as SelectionNode;
    }),
  );
}

/** The selection without any `@defer`: what a fragment delivered in one payload contains. */
function withoutDefer<T extends SelectionSetNode>(selectionSet: T): T {
  return visit(selectionSet, { Directive: (node) => (isDefer(node) ? null : undefined) }) as T;
}

/** Only the variable definitions the operation uses. */
function withUsedVariables(operation: OperationDefinitionNode): OperationDefinitionNode {
  const used = new Set<string>();
  visit(operation.selectionSet, { Variable: (node) => void used.add(node.name.value) });
  return { ...operation, variableDefinitions: operation.variableDefinitions?.filter((definition) => used.has(definition.variable.name.value)) };
}

const asDocument = (operation: OperationDefinitionNode): DocumentNode => ({ kind: Kind.DOCUMENT, definitions: [withUsedVariables(operation)] });

export function splitDeferred(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): DeferSplit | null {
  if (!usesDefer(document)) return null;
  const operation = operationOf(document, operationName);
  if (!operation) return null;
  const root = schema.getRootType(operation.operation);
  if (!root) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const inlined = inlineFragments(operation.selectionSet, fragments, new Set());
  const deferrable = operation.operation === 'query';
  const deferred: DeferredPart[] = [];
  const placeholders: string[][] = [];

  const active = (directive: DirectiveNode | undefined, walk: Walk): directive is DirectiveNode => {
    if (!directive || !deferrable || walk.belowList || deferred.length >= MAX_DEFERRED_PARTS) return false;
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    if (condition?.kind === Kind.BOOLEAN && !condition.value) return false;
    if (condition?.kind === Kind.VARIABLE && variables[condition.name.value] === false) return false;
    return true;
  };

  /** A fragment @skip or @include leaves out: it is in no payload (a deferred one would otherwise arrive empty). */
  const excluded = (selection: InlineFragmentNode) =>
    (selection.directives ?? []).some((candidate) => {
      const name = candidate.name.value;
      if (name !== 'skip' && name !== 'include') return false;
      const condition = candidate.arguments?.find((argument) => argument.name.value === 'if')?.value;
      const value = condition?.kind === Kind.BOOLEAN ? condition.value : condition?.kind === Kind.VARIABLE ? variables[condition.name.value] === true : undefined;
      return value === undefined ? false : name === 'skip' ? value : !value;
    });

  const labelOf = (directive: DirectiveNode) => {
    const label = directive.arguments?.find((argument) => argument.name.value === 'label')?.value;
    return label?.kind === Kind.STRING ? label.value : undefined;
  };

  /** The part's operation: the chain from the root, with the fragment at its end. */
  const partDocument = (chain: Step[], fragment: InlineFragmentNode): DocumentNode => {
    let inner: SelectionNode = fragment;
    for (let i = chain.length - 1; i >= 0; i--) inner = { ...chain[i], selectionSet: selections([inner]) } as SelectionNode;
    return asDocument({ ...operation, selectionSet: selections([inner]) });
  };

  const split = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType, walk: Walk): SelectionSetNode => {
    const kept: SelectionNode[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.selectionSet) {
          kept.push(selection);
          continue;
        }
        const field = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[selection.name.value] : undefined;
        if (!field) {
          kept.push({ ...selection, selectionSet: withoutDefer(selection.selectionSet) });
          continue;
        }
        const key = selection.alias?.value ?? selection.name.value;
        const child = split(selection.selectionSet, getNamedType(field.type), {
          chain: [...walk.chain, selection],
          path: [...walk.path, key],
          belowList: walk.belowList || hasList(field.type),
        });
        if (child.selections.length === 0) placeholders.push([...walk.path, key]);
        kept.push({ ...selection, selectionSet: child.selections.length ? child : selections([TYPENAME]) });
        continue;
      }
      if (selection.kind !== Kind.INLINE_FRAGMENT) continue;
      const directive = selection.directives?.find(isDefer);
      const directives = selection.directives?.filter((candidate) => !isDefer(candidate));
      const fragment: InlineFragmentNode = { ...selection, directives };
      if (directive && excluded(selection)) continue;
      if (active(directive, walk)) {
        deferred.push({ label: labelOf(directive), path: walk.path, document: partDocument(walk.chain, { ...fragment, selectionSet: withoutDefer(selection.selectionSet) }) });
        continue;
      }
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) ?? parentType : parentType;
      const child = split(selection.selectionSet, type, { ...walk, chain: [...walk.chain, fragment] });
      if (child.selections.length) kept.push({ ...fragment, selectionSet: child });
    }
    return selections(kept);
  };

  const primarySelections = split(inlined, root, { chain: [], path: [], belowList: false });
  if (primarySelections.selections.length === 0) placeholders.push([]);
  const primary = asDocument({ ...operation, selectionSet: primarySelections.selections.length ? primarySelections : selections([TYPENAME]) });
  return { primary, deferred, placeholders };
}
