/**
 * @skip and @include: which selections an operation keeps for given variables.
 * A response shape depends on these values only, so it is kept per the values
 * of the variables the operation's conditions read (conditionKey).
 */
import { visit, type DirectiveNode, type DocumentNode, type SelectionNode, type ValueNode } from 'graphql';

type Variables = Record<string, unknown>;

function conditionValue(directive: DirectiveNode, variables: Variables): boolean {
  const value: ValueNode | undefined = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
  if (!value) return false;
  if (value.kind === 'BooleanValue') return value.value;
  if (value.kind === 'Variable') return variables[value.name.value] === true;
  return false;
}

/** Whether the selection survives its @skip/@include directives. */
export function includes(selection: SelectionNode, variables: Variables): boolean {
  if (!selection.directives?.length) return true;
  for (const directive of selection.directives) {
    if (directive.name.value === 'skip' && conditionValue(directive, variables)) return false;
    if (directive.name.value === 'include' && !conditionValue(directive, variables)) return false;
  }
  return true;
}

/** The variables read by the document's @skip/@include directives (empty for most operations). */
export function conditionVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'skip' && node.name.value !== 'include') return;
      for (const argument of node.arguments ?? []) if (argument.value.kind === 'Variable') names.add(argument.value.name.value);
    },
  });
  return [...names];
}

/** The key of the shape valid for these variables: the values of the condition variables. */
export function conditionKey(names: readonly string[], variables: Variables): string {
  let key = '';
  for (const name of names) key += variables[name] === true ? '1' : '0';
  return key;
}
