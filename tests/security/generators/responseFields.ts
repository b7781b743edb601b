/**
 * Where each field of an operation lands in its response: every concrete path
 * (list indexes included) at which a field was selected on an object that the
 * response holds, with the field's coordinate, its coerced arguments, whether
 * `@include`/`@skip` kept it, and the value found there.
 *
 * Guarantees: fragments (inline and named) and aliases are resolved the way
 * GraphQL's CollectFields does, and selections that `@skip`/`@include` removed
 * are still reported (as inactive), so a check can tell "selected and denied"
 * from "never asked for". It reads only the client's document and the
 * response; it never uses the gateway's rewritten operation or its plan.
 *
 * Written by hand instead of graphql-js's execution helpers: those collect
 * fields of an operation being executed and drop skipped selections, and we
 * need both the skipped ones and a walk over a response that already exists.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type Path = (string | number)[];

export type FieldOccurrence = {
  path: Path;
  typeName: string;
  fieldName: string;
  args: Record<string, unknown>;
  /** Kept by `@include`/`@skip` (and by those of every fragment it was spread through). */
  active: boolean;
  /** The response object has the key. */
  present: boolean;
  value: unknown;
  /** The parent object's `id`: selected there (under any alias), or the `id` argument the object was fetched by. */
  parentId: string | undefined;
};

type Group = { fieldName: string; nodes: { node: FieldNode; active: boolean }[]; active: boolean };

export class OperationView {
  private readonly operation: OperationDefinitionNode;
  private readonly fragments: Map<string, FragmentDefinitionNode>;
  private readonly variables: Record<string, unknown>;

  constructor(private readonly schema: GraphQLSchema, document: DocumentNode, rawVariables: Record<string, unknown>) {
    const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    if (operations.length !== 1) throw new Error('expected one operation');
    this.operation = operations[0];
    this.fragments = new Map(
      document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
    );
    const coerced = getVariableValues(schema, this.operation.variableDefinitions ?? [], rawVariables);
    if (coerced.errors) throw new Error(`variables do not fit the operation: ${coerced.errors.map((error) => error.message).join('; ')}`);
    this.variables = coerced.coerced;
  }

  private included(node: FieldNode | { directives?: FieldNode['directives'] }): boolean {
    const skip = getDirectiveValues(GraphQLSkipDirective, node as FieldNode, this.variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, this.variables);
    return include?.if !== false;
  }

  private applies(typeCondition: string | undefined, type: GraphQLObjectType): boolean {
    if (!typeCondition || typeCondition === type.name) return true;
    const conditionType = this.schema.getType(typeCondition);
    return Boolean(conditionType && isAbstractType(conditionType) && this.schema.isSubType(conditionType, type));
  }

  private collect(type: GraphQLObjectType, selectionSet: SelectionSetNode, active: boolean, groups: Map<string, Group>) {
    for (const selection of selectionSet.selections) {
      const kept = active && this.included(selection);
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { fieldName: selection.name.value, nodes: [], active: false }));
        group.nodes.push({ node: selection, active: kept });
        group.active ||= kept;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (this.applies(selection.typeCondition?.name.value, type)) this.collect(type, selection.selectionSet, kept, groups);
      } else {
        const fragment = this.fragments.get(selection.name.value)!;
        if (this.applies(fragment.typeCondition.name.value, type)) this.collect(type, fragment.selectionSet, kept, groups);
      }
    }
  }

  private groupsOf(type: GraphQLObjectType, selectionSets: SelectionSetNode[]) {
    const groups = new Map<string, Group>();
    for (const selectionSet of selectionSets) this.collect(type, selectionSet, true, groups);
    return groups;
  }

  private argsOf(type: GraphQLObjectType, group: Group): Record<string, unknown> {
    const definition = type.getFields()[group.fieldName];
    return definition ? getArgumentValues(definition, group.nodes[0].node, this.variables) : {};
  }

  /** Every field occurrence in the response data, parents before children. */
  occurrences(data: Record<string, unknown> | null | undefined): FieldOccurrence[] {
    const found: FieldOccurrence[] = [];
    const visitValue = (value: unknown, type: GraphQLOutputType, selectionSets: SelectionSetNode[], path: Path, knownId: string | undefined) => {
      if (value === null || value === undefined) return;
      const nullable = getNullableType(type);
      if (isListType(nullable)) {
        (value as unknown[]).forEach((item, index) => visitValue(item, nullable.ofType, selectionSets, [...path, index], undefined));
        return;
      }
      const named = getNamedType(type);
      if (isObjectType(named)) visitObject(value as Record<string, unknown>, named, selectionSets, path, knownId);
    };
    const visitObject = (object: Record<string, unknown>, type: GraphQLObjectType, selectionSets: SelectionSetNode[], path: Path, knownId: string | undefined) => {
      const groups = this.groupsOf(type, selectionSets);
      const idKey = [...groups].find(([key, group]) => group.fieldName === 'id' && group.active && object[key] != null)?.[0];
      const parentId = idKey === undefined ? knownId : String(object[idKey]);
      for (const [key, group] of groups) {
        if (group.fieldName.startsWith('__')) continue;
        found.push({
          path: [...path, key],
          typeName: type.name,
          fieldName: group.fieldName,
          args: this.argsOf(type, group),
          active: group.active,
          present: key in object,
          value: object[key],
          parentId,
        });
        const children = group.nodes.filter((entry) => entry.active && entry.node.selectionSet).map((entry) => entry.node.selectionSet!);
        // An object fetched by id (`customer(id: "38")`) is known to be that one even when the operation does not select its id.
        const fetchedBy = found[found.length - 1].args.id;
        if (group.active && children.length) visitValue(object[key], type.getFields()[group.fieldName].type, children, [...path, key], fetchedBy === undefined ? undefined : String(fetchedBy));
      }
    };
    if (data) visitObject(data, this.schema.getQueryType()!, [this.operation.selectionSet], [], undefined);
    return found;
  }

  /** The field the operation selected at a response path (list indexes skipped), whether or not the response holds it. */
  fieldAt(path: Path): { typeName: string; fieldName: string; args: Record<string, unknown> } | undefined {
    let type: GraphQLCompositeType = this.schema.getQueryType()!;
    let selectionSets = [this.operation.selectionSet];
    let field: { typeName: string; fieldName: string; args: Record<string, unknown> } | undefined;
    for (const segment of path) {
      if (typeof segment === 'number') continue;
      if (!isObjectType(type)) return undefined;
      const group = this.groupsOf(type, selectionSets).get(segment);
      if (!group) return undefined;
      field = { typeName: type.name, fieldName: group.fieldName, args: this.argsOf(type, group) };
      const definition = type.getFields()[group.fieldName];
      if (!definition) return field;
      type = getNamedType(definition.type) as GraphQLCompositeType;
      selectionSets = group.nodes.filter((entry) => entry.node.selectionSet).map((entry) => entry.node.selectionSet!);
    }
    return field;
  }
}
