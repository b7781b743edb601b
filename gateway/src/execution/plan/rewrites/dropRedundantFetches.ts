/**
 * Rewrite: an entity fetch is dropped when fetches that complete before it
 * starts have already fetched everything it selects, at the same place of the
 * response. @apollo/query-planner makes such fetches: when a subgraph returns
 * an entity it cannot resolve (`@key(resolvable: false)`) with a `@shareable`
 * field, and another subgraph `@requires` that field, the planner asks the
 * entity's own subgraph for the field again, although the first answer holds
 * it (the same family as apollographql/router#8385).
 *
 * Guarantees: a fetch is dropped only when every field it selects (the same
 * response key, field name, arguments, and sub-selections, recursively) was
 * selected, without @skip/@include, for objects of the same type at the same
 * response path by a fetch in an earlier step of an enclosing Sequence.
 * Composition only lets several subgraphs resolve a field when it is
 * shareable (or provided), which promises the same value, so the response is
 * the one the planner's plan gives. One difference remains, on failure: when
 * the earlier subgraph answered such a field with an error, that error stands,
 * where the planner's plan would have merged the later subgraph's value over it.
 *
 * Must never: drop a root fetch, a mutation, or a fetch with input, output or
 * context rewrites; count a fetch that runs beside (in a Parallel) or after
 * the candidate as complete; look through Defer nodes; match selections under
 * a type condition it cannot prove applies (it knows no schema, so an
 * interface's fragment never covers an object type's).
 */
import { Kind, parse, print, type FieldNode, type FragmentDefinitionNode, type SelectionNode, type SelectionSetNode } from 'graphql';
import type { FetchNode, PlanNode } from '@apollo/query-planner';

/** What a completed fetch selected at some path: a selection set, for objects of `type` (undefined: of any type). */
type Available = { set: SelectionSetNode; type?: string; fragments: Map<string, FragmentDefinitionNode> };
type Completed = { path: string[]; entries: Available[] };

export function dropRedundantFetches(node: PlanNode): PlanNode {
  return dropIn(node, [], []) ?? node;
}

/** The node without its redundant fetches; undefined when nothing of it is left. */
function dropIn(node: PlanNode, path: string[], completed: Completed[]): PlanNode | undefined {
  switch (node.kind) {
    case 'Sequence': {
      const steps: PlanNode[] = [];
      let done = completed;
      for (const step of node.nodes) {
        const kept = dropIn(step, path, done);
        if (kept) steps.push(kept);
        // The original step completes before the next starts, whatever was dropped from it.
        done = [...done, ...completedBy(step, path)];
      }
      return steps.length === 0 ? undefined : steps.length === 1 ? steps[0] : { ...node, nodes: steps };
    }
    case 'Parallel': {
      const children = node.nodes.map((child) => dropIn(child, path, completed)).filter((child): child is PlanNode => Boolean(child));
      return children.length === 0 ? undefined : children.length === 1 ? children[0] : { ...node, nodes: children };
    }
    case 'Flatten': {
      if (!plainPath(node.path)) return node;
      const inner = dropIn(node.node, [...path, ...node.path.map(String)], completed);
      return inner && { ...node, node: inner };
    }
    case 'Condition': {
      const ifClause = node.ifClause && dropIn(node.ifClause, path, completed);
      const elseClause = node.elseClause && dropIn(node.elseClause, path, completed);
      return ifClause || elseClause ? { ...node, ifClause, elseClause } : undefined;
    }
    case 'Fetch':
      return path.length > 0 && isRedundant(node, path, completed) ? undefined : node;
    default:
      return node;
  }
}

/** Paths of response keys and `@` only; a type-conditioned step (`|[Type]`) is beyond what this rewrite proves. */
const plainPath = (path: readonly (string | number)[]) => path.every((step) => typeof step === 'string' && !step.includes('|') && !step.startsWith('...'));

/** What every fetch under `node` selected, once `node` has completed. */
function completedBy(node: PlanNode, path: string[]): Completed[] {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap((child) => completedBy(child, path));
    case 'Flatten':
      return plainPath(node.path) ? completedBy(node.node, [...path, ...node.path.map(String)]) : [];
    case 'Fetch': {
      const parsed = parseFetch(node);
      if (!parsed) return [];
      const { selectionSet, fragments } = parsed;
      if (path.length === 0) return [{ path, entries: [{ set: selectionSet, fragments }] }];
      const entities = entitiesField(selectionSet);
      return entities ? [{ path, entries: typedEntries(entities.selectionSet!, fragments) }] : [];
    }
    default:
      // A Condition may not run, a Defer's parts land later: neither counts as complete.
      return [];
  }
}

function parseFetch(fetch: FetchNode) {
  const document = fetch.operationDocumentNode ?? parse(fetch.operation);
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return undefined;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  return { operation, selectionSet: operation.selectionSet, fragments };
}

function entitiesField(selectionSet: SelectionSetNode): FieldNode | undefined {
  const [only] = selectionSet.selections;
  return selectionSet.selections.length === 1 && only.kind === Kind.FIELD && only.name.value === '_entities' && only.selectionSet ? only : undefined;
}

/** `_entities { ... on A { x } ... on B { y } }` → one entry per type. */
function typedEntries(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): Available[] {
  return set.selections.flatMap((selection): Available[] => {
    if (selection.kind === Kind.INLINE_FRAGMENT && selection.typeCondition && !selection.directives?.length) return [{ set: selection.selectionSet, type: selection.typeCondition.name.value, fragments }];
    const spread = selection.kind === Kind.FRAGMENT_SPREAD && !selection.directives?.length ? fragments.get(selection.name.value) : undefined;
    return spread ? [{ set: spread.selectionSet, type: spread.typeCondition.name.value, fragments }] : [];
  });
}

function isRedundant(fetch: FetchNode, path: string[], completed: Completed[]): boolean {
  if (fetch.operationKind !== 'query' || fetch.inputRewrites?.length || fetch.outputRewrites?.length || fetch.contextRewrites?.length) return false;
  const parsed = parseFetch(fetch);
  const entities = parsed && entitiesField(parsed.selectionSet);
  if (!parsed || !entities) return false;
  const needed = typedEntries(entities.selectionSet!, parsed.fragments);
  if (needed.length !== entities.selectionSet!.selections.length) return false;
  const here = completed.flatMap(({ path: at, entries }) => (at.length <= path.length && at.every((step, i) => step === path[i]) ? descend(entries, path.slice(at.length)) : []));
  return needed.every((part) => covers(here, part.set, part.type, part.fragments));
}

function descend(entries: Available[], steps: string[]): Available[] {
  let current = entries;
  for (const step of steps) {
    if (step === '@') continue;
    current = current.flatMap((entry) =>
      fieldsFor(entry.set, entry.type, entry.fragments)
        .filter((field) => responseKey(field) === step && field.selectionSet)
        .map((field) => ({ set: field.selectionSet!, fragments: entry.fragments })),
    );
  }
  return current;
}

/** The fields of `set` that apply to every object of `type` (undefined: of any type), through fragments that surely apply. */
function fieldsFor(set: SelectionSetNode, type: string | undefined, fragments: Map<string, FragmentDefinitionNode>): FieldNode[] {
  return set.selections.flatMap((selection: SelectionNode): FieldNode[] => {
    if (selection.directives?.length) return [];
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value;
      return !condition || condition === type ? fieldsFor(selection.selectionSet, type, fragments) : [];
    }
    const fragment = fragments.get(selection.name.value);
    return fragment && fragment.typeCondition.name.value === type ? fieldsFor(fragment.selectionSet, type, fragments) : [];
  });
}

const responseKey = (field: FieldNode) => field.alias?.value ?? field.name.value;
const signature = (field: FieldNode) => `${field.name.value}(${(field.arguments ?? []).map((arg) => print(arg)).join(',')})`;

/** Whether `entries` (for objects of `type`) selected everything `needed` selects. */
function covers(entries: Available[], needed: SelectionSetNode, type: string | undefined, fragments: Map<string, FragmentDefinitionNode>): boolean {
  const applicable = entries.filter((entry) => entry.type === undefined || entry.type === type);
  return needed.selections.every((selection) => {
    if (selection.directives?.length) return false;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value ?? type;
      return covers(narrow(applicable, condition), selection.selectionSet, condition, fragments);
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      const condition = fragment?.typeCondition.name.value;
      return Boolean(fragment) && covers(narrow(applicable, condition), fragment!.selectionSet, condition, fragments);
    }
    const matching = applicable.flatMap((entry) =>
      fieldsFor(entry.set, type, entry.fragments)
        .filter((field) => responseKey(field) === responseKey(selection) && signature(field) === signature(selection))
        .map((field) => ({ field, fragments: entry.fragments })),
    );
    if (matching.length === 0) return false;
    if (!selection.selectionSet) return true;
    const below = matching.filter(({ field }) => field.selectionSet).map(({ field, fragments: own }) => ({ set: field.selectionSet!, fragments: own }));
    return covers(below, selection.selectionSet, undefined, fragments);
  });
}

/** Entries seen as selections for objects of `type`: an entry for any type applies, narrowed by its own fragments on `type`. */
function narrow(entries: Available[], type: string | undefined): Available[] {
  return entries.filter((entry) => entry.type === undefined || entry.type === type).map((entry) => ({ ...entry, type }));
}
