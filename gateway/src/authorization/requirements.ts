/**
 * `@requires` is a read: to resolve `Order.amountDue @requires(fields: "total")`
 * the gateway fetches `Order.total` and sends it to finance, which answers
 * from it. A principal who may not read `Order.total` would learn it through
 * `amountDue` (and the gateway would fetch a field denied to them). So a field
 * is governed by its own rules and by the rules of every field it requires,
 * recursively; denials name the requirement in the rule label
 * (`requires(Order.total):global:...`), so the audit says why.
 *
 * A requirement on the field's own type that is checked per row (a row scope,
 * or a rule reading the parent) is checked on the same row, since both fields
 * share their parent object. A nested requirement (`customer { segment }`)
 * sits on another object, which the field's rules never see: if it is checked
 * per row the policy is rejected, naming the field, rather than guessed at.
 *
 * It never loosens anything: it only appends parts to fields' policies.
 * Fields a requirement names that the API schema hides (@inaccessible) have no
 * rules of their own here; the field's own rules govern what its subgraph
 * does with them.
 */
import { isInterfaceType, isObjectType, Kind, parse, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import type { FieldPolicy } from './compilePolicy';
import type { SupergraphFacts } from './supergraphFacts';

type RequiredField = { coordinate: string; nested: boolean };

/** `"total customer { segment }"` on Order → Order.total, Order.customer, Customer.segment (nested). */
export function requiredFieldsOf(schema: GraphQLSchema, typeName: string, fieldSet: string): RequiredField[] {
  const found: RequiredField[] = [];
  const walk = (parentName: string, selectionSet: SelectionSetNode, nested: boolean) => {
    const parent = schema.getType(parentName);
    if (!(isObjectType(parent) || isInterfaceType(parent))) return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.typeCondition?.name.value ?? parentName, selection.selectionSet, nested);
      } else if (selection.kind === Kind.FIELD && selection.name.value !== '__typename') {
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        found.push({ coordinate: `${parentName}.${field.name}`, nested });
        let named = field.type;
        while ('ofType' in named) named = named.ofType;
        if (selection.selectionSet) walk(named.name, selection.selectionSet, true);
      }
    }
  };
  const operation = parse(`{ ${fieldSet} }`).definitions[0];
  if (operation.kind === Kind.OPERATION_DEFINITION) walk(typeName, operation.selectionSet, false);
  return found;
}

/** Appends to each field's policy the parts of every field it requires; reports what cannot be checked to `problems`. */
export function governRequirements(table: Map<string, FieldPolicy>, facts: SupergraphFacts, schema: GraphQLSchema, problems: string[]): void {
  const governed = new Map<string, FieldPolicy>();
  const govern = (coordinate: string, via: string[]): FieldPolicy | undefined => {
    const own = table.get(coordinate);
    if (!own || governed.has(coordinate)) return governed.get(coordinate) ?? own;
    // Composition refuses cyclic @requires; stop rather than recurse if one got through.
    if (via.includes(coordinate)) return own;
    const [typeName, fieldName] = coordinate.split('.');
    const policy: FieldPolicy = { parts: [...own.parts], rowLevel: own.rowLevel, parentSelections: [...own.parentSelections] };
    for (const fieldSet of facts.field(typeName, fieldName)?.requires ?? []) {
      for (const required of requiredFieldsOf(schema, typeName, fieldSet)) {
        const requirement = govern(required.coordinate, [...via, coordinate]);
        if (!requirement) continue;
        if (required.nested && requirement.rowLevel) {
          problems.push(
            `${coordinate} @requires(fields: "${fieldSet}"): ${required.coordinate} is checked per row (${requirement.parts.map((part) => part.label).join(', ')}), ` +
              `which cannot be checked on ${typeName}; require a field of ${typeName} instead, or govern ${coordinate} with a rule of its own and remove the row-level rule`,
          );
          continue;
        }
        policy.parts.push(...requirement.parts.map((part) => ({ label: `requires(${required.coordinate}):${part.label}`, rule: part.rule })));
        if (!required.nested) {
          policy.rowLevel ||= requirement.rowLevel;
          policy.parentSelections.push(...requirement.parentSelections);
        }
      }
    }
    governed.set(coordinate, policy);
    return policy;
  };
  for (const coordinate of [...table.keys()]) table.set(coordinate, govern(coordinate, [])!);
}
