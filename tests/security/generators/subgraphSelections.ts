/**
 * The fields a subgraph request selects, as coordinates of the API schema:
 * what the gateway asked a subgraph for, read from the query text the
 * subgraph received (tests/harness.ts records it).
 *
 * Guarantees: root fields, `_entities` (whose objects are typed by the inline
 * fragments under it), inline fragments and named fragments are all resolved,
 * and every field comes with its alias and its arguments (literals, or the
 * request's variables), so a check can allow exactly the gateway's helper
 * aliases (`mg__…`) and nothing else. A field the API schema does not know
 * (federation's `_entities`, `_service`) is reported with `known: false`.
 */
import {
  getArgumentValues,
  getNamedType,
  isObjectType,
  Kind,
  parse,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type SubgraphSelection = { typeName: string; fieldName: string; alias: string | undefined; args: Record<string, unknown>; known: boolean };

export function subgraphSelections(schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}): SubgraphSelection[] {
  const document = parse(query);
  const fragments = new Map(
    document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  const found: SubgraphSelection[] = [];
  const typeNamed = (name: string | undefined, fallback: GraphQLObjectType | null) => {
    const type = name ? schema.getType(name) : fallback;
    return type && isObjectType(type) ? type : null;
  };
  const visit = (selectionSet: SelectionSetNode, type: GraphQLObjectType | null) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, typeNamed(selection.typeCondition?.name.value, type));
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value)!;
        visit(fragment.selectionSet, typeNamed(fragment.typeCondition.name.value, type));
      } else if (!selection.name.value.startsWith('__')) {
        const definition = type?.getFields()[selection.name.value];
        let args: Record<string, unknown> = {};
        try {
          if (definition) args = getArgumentValues(definition, selection, variables);
        } catch {
          // Arguments that do not coerce against the API schema are decided on what could be read.
        }
        found.push({ typeName: type?.name ?? '(unknown)', fieldName: selection.name.value, alias: selection.alias?.value, args, known: Boolean(definition) });
        if (selection.selectionSet) {
          const child = definition ? getNamedType(definition.type) : null;
          // Under `_entities`, the objects' types come from the fragments' type conditions.
          visit(selection.selectionSet, child && isObjectType(child) ? child : null);
        }
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const operation = definition as OperationDefinitionNode;
    const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
    visit(operation.selectionSet, root ?? null);
  }
  return found;
}
