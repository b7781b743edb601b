import { Kind, type ASTVisitor, type DocumentNode, type InputValueDefinitionNode, type TypeNode, type EnumValueDefinitionNode } from 'graphql';
import type { LintContext } from '..';
import { piiFieldsOf } from '../facts';

/**
 * An argument, input field or sort value that filters, searches or sorts by a protected field names it with
 * `@reads(fields: [...])`, so the gateway can govern it by that field's rule (issue 13: "arguments are data").
 *
 * Which arguments read what is a heuristic on names, as a reviewer would guess it: an argument or input field
 * named like a protected field of the type it filters (`email`, `minSalary`, `flaggedOnly` for `anomaly.flagged`),
 * a free-text search (`search`, `q`, `query`, `text`, `keyword`) over a type with a protected text field, and
 * a sort enum value naming a protected field (`NAME`). The type filtered is the field's return type (through
 * `*Connection`) and the input type's name without `Filter`, `Order`, `Where`, `Input` or `Sort`. Protected
 * means PII (`@pii` or the descriptor's `pii:`), a field-level `@authenticated`, `@requiresScopes` or `@policy`, or
 * what `context.protectedField` adds (the check passes the policies' field rules stronger than their type's).
 */
export function ArgumentsDeclareWhatTheyReadRule(context: LintContext): ASTVisitor {
  return {
    Document(document) {
      const types = objectTypesOf(document);
      const inputs = new Map<string, InputValueDefinitionNode[]>();
      const enums = new Map<string, readonly EnumValueDefinitionNode[]>();
      for (const definition of document.definitions) {
        if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || definition.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) {
          inputs.set(definition.name.value, [...(inputs.get(definition.name.value) ?? []), ...(definition.fields ?? [])]);
        }
        if (definition.kind === Kind.ENUM_TYPE_DEFINITION) enums.set(definition.name.value, definition.values ?? []);
      }
      const isProtected = protectionOf(context, document, types);
      const entityOf = (typeName: string) => {
        const connection = /^(.*)Connection$/.exec(typeName);
        return connection && types.has(connection[1]) ? connection[1] : typeName;
      };
      // What each input type filters: by its name, and by the fields that take it.
      const filtered = new Map<string, Set<string>>();
      const note = (input: string, target: string) => types.has(target) && (filtered.get(input) ?? filtered.set(input, new Set()).get(input)!).add(target);
      for (const name of inputs.keys()) note(name, name.replace(/(Filter|Order|OrderBy|Where|Input|Sort)$/, ''));
      const check = (coordinate: string, node: InputValueDefinitionNode, targets: Set<string>) => {
        if (hasReads(node.directives)) return;
        const typeName = namedTypeOf(node.type);
        const reads = guessReads(node.name.value, targets, types, isProtected);
        for (const value of enums.get(typeName) ?? []) {
          if (hasReads(value.directives)) continue;
          reads.push(...guessReads(camelCase(value.name.value), targets, types, isProtected, true).map((field) => `${field} (sort value ${value.name.value})`));
        }
        if (!reads.length) return;
        context.report({
          coordinate,
          node,
          message: `${coordinate} looks like it filters, searches or sorts by ${reads.join(', ')}, which is protected: add @reads(fields: [...]) naming the fields it reads, so the gateway applies their rules to it`,
        });
      };
      const visitInput = (input: string, targets: Set<string>, seen: Set<string>) => {
        if (seen.has(input)) return;
        seen.add(input);
        for (const field of inputs.get(input) ?? []) {
          check(`${input}.${field.name.value}`, field, targets);
          if (inputs.has(namedTypeOf(field.type))) visitInput(namedTypeOf(field.type), targets, seen);
        }
      };
      for (const [typeName, fields] of types) {
        for (const field of fields.values()) {
          const target = entityOf(namedTypeOf(field.type));
          for (const argument of field.arguments ?? []) {
            const argumentType = namedTypeOf(argument.type);
            if (inputs.has(argumentType)) note(argumentType, target);
            else check(`${typeName}.${field.name.value}(${argument.name.value}:)`, argument, new Set([target]));
          }
        }
      }
      for (const input of inputs.keys()) visitInput(input, filtered.get(input) ?? new Set(), new Set());
    },
  };
}

type ObjectFields = Map<string, { name: { value: string }; type: TypeNode; arguments?: readonly InputValueDefinitionNode[]; directives?: readonly { name: { value: string } }[] }>;

const SEARCH = /^(search|q|query|text|keywords?|fullText)$/;
const SECURITY_DIRECTIVES = ['authenticated', 'requiresScopes', 'policy'];

const namedTypeOf = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type));
const hasReads = (directives: readonly { name: { value: string } }[] | undefined) => (directives ?? []).some((directive) => directive.name.value === 'reads');
const camelCase = (value: string) => value.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

function objectTypesOf(document: DocumentNode): Map<string, ObjectFields> {
  const types = new Map<string, ObjectFields>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const fields = types.get(definition.name.value) ?? new Map();
    for (const field of definition.fields ?? []) fields.set(field.name.value, field);
    types.set(definition.name.value, fields);
  }
  return types;
}

/** The reason a field is protected, or undefined. */
function protectionOf(context: LintContext, document: DocumentNode, types: Map<string, ObjectFields>) {
  const marked = piiFieldsOf(document);
  const declared = context.descriptor.ok ? context.descriptor.descriptor.pii : {};
  return (typeName: string, fieldName: string): boolean => {
    const coordinate = `${typeName}.${fieldName}`;
    if (marked.has(coordinate) || declared[coordinate] !== undefined) return true;
    const field = types.get(typeName)?.get(fieldName);
    if (field?.directives?.some((directive) => SECURITY_DIRECTIVES.includes(directive.name.value))) return true;
    return context.protectedField(typeName, fieldName);
  };
}

/** Protected fields the name `name` seems to read on the target types, one field deep (`flaggedOnly` → `Transaction.anomaly.flagged`). */
function guessReads(name: string, targets: Set<string>, types: Map<string, ObjectFields>, isProtected: (t: string, f: string) => boolean, exactOnly = false): string[] {
  const found: string[] = [];
  const search = !exactOnly && SEARCH.test(name);
  const stem = exactOnly ? name : lowerFirst(name.replace(/^(min|max)(?=[A-Z])/, '').replace(/(Only|From|To|Before|After|Contains|Prefix|Like|Is|In)$/, '')) || name;
  for (const target of targets) {
    const fields = types.get(target);
    for (const [fieldName, field] of fields ?? []) {
      const fieldType = namedTypeOf(field.type);
      if (search) {
        if (fieldType === 'String' && isProtected(target, fieldName)) found.push(`${target}.${fieldName}`);
        continue;
      }
      if (fieldName === stem || fieldName === name) {
        if (isProtected(target, fieldName)) found.push(`${target}.${fieldName}`);
        continue;
      }
      const nested = types.get(fieldType);
      if (nested?.has(stem) && (isProtected(target, fieldName) || isProtected(fieldType, stem))) found.push(`${target}.${fieldName}.${stem}`);
    }
  }
  return found;
}
