/**
 * Operation rewrite before planning, for apollographql/federation#2996: when
 * a client selects, without an alias, a field that a @requires also needs
 * with other arguments (`{ weight shippingEstimate }` where shippingEstimate
 * @requires `weight(unit: KILOGRAM)` and the client's weight means GRAM),
 * @apollo/query-planner merges the two selections into one, and either the
 * client or the requiring subgraph gets the other's value. Giving the client's
 * field an alias of its own makes the planner keep both selections apart, as
 * it already does when the client writes the alias (the federation suite
 * proves that case). ResponseShape then answers the aliased field under the
 * client's response key (`aliases`), so the client sees its own operation.
 *
 * Guarantees: only fields whose response key is their name and whose
 * arguments differ (as written) from the ones a @requires of their parent
 * type names are aliased; everything else in the document is unchanged. The
 * rewritten operation selects the same fields with the same arguments, so
 * authorization's decision on the client's operation (made before this runs)
 * covers it.
 *
 * Must never: rename a field the client aliased, add a selection, or change
 * an argument. Requirements nested below the first level (`@requires(fields:
 * "dimensions { size(unit: CM) }")`) are not looked at: their conflicts are
 * not fixed here.
 */
import { Kind, parse, print, TypeInfo, visit, visitWithTypeInfo, getNamedType, isAbstractType, type ArgumentNode, type DocumentNode, type FieldNode, type GraphQLSchema } from 'graphql';

/** Per type name, per field name: the arguments (as printed) @requires selections give that field. */
export type RequiredArguments = Map<string, Map<string, Set<string>>>;

const ALIAS_SUFFIX = '__meshgate_client';

/** What the supergraph's @join__field(requires:) directives select with arguments, by parent type and field. */
export function requiredArguments(supergraphSchema: GraphQLSchema): RequiredArguments {
  const result: RequiredArguments = new Map();
  for (const type of Object.values(supergraphSchema.getTypeMap())) {
    if (type.name.startsWith('__') || !('getFields' in type) || !type.astNode) continue;
    for (const field of Object.values(type.getFields())) {
      for (const directive of (field.astNode?.directives ?? []) as readonly { name: { value: string }; arguments?: readonly ArgumentNode[] }[]) {
        if (directive.name.value !== 'join__field') continue;
        const requires = directive.arguments?.find((argument) => argument.name.value === 'requires')?.value;
        if (requires?.kind !== Kind.STRING) continue;
        const operation = parse(`{${requires.value}}`).definitions[0];
        if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
        for (const selection of operation.selectionSet.selections) {
          if (selection.kind !== Kind.FIELD || !selection.arguments?.length) continue;
          const byField = result.get(type.name) ?? new Map<string, Set<string>>();
          result.set(type.name, byField);
          const known = byField.get(selection.name.value) ?? new Set<string>();
          byField.set(selection.name.value, known);
          known.add(printArguments(selection.arguments));
        }
      }
    }
  }
  return result;
}

/** The document with the client's conflicting fields aliased, and each alias's client response key; undefined when nothing conflicts. */
export function aliasRequiredFields(apiSchema: GraphQLSchema, required: RequiredArguments, document: DocumentNode): { document: DocumentNode; aliases: Map<string, string> } | undefined {
  if (required.size === 0) return undefined;
  const aliases = new Map<string, string>();
  const typeInfo = new TypeInfo(apiSchema);
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node: FieldNode) {
        if (node.alias && node.alias.value !== node.name.value) return undefined;
        const parent = typeInfo.getParentType();
        if (!parent) return undefined;
        const types = isAbstractType(parent) ? apiSchema.getPossibleTypes(parent).map((type) => type.name) : [getNamedType(parent).name];
        const args = printArguments(node.arguments ?? []);
        const conflicts = types.some((type) => {
          const requiredArgs = required.get(type)?.get(node.name.value);
          return requiredArgs !== undefined && !requiredArgs.has(args);
        });
        if (!conflicts) return undefined;
        const alias = `${node.name.value}${ALIAS_SUFFIX}`;
        aliases.set(alias, node.name.value);
        return { ...node, alias: { kind: Kind.NAME, value: alias } };
      },
    }),
  );
  return aliases.size ? { document: rewritten, aliases } : undefined;
}

function printArguments(args: readonly ArgumentNode[]): string {
  return [...args].map((argument) => `${argument.name.value}:${print(argument.value)}`).sort().join(',');
}
