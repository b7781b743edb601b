/**
 * What the supergraph says about each field that authorization needs: which
 * subgraphs (domains) own it, whether a subgraph classified it as PII, and the
 * federation authorization directives (@authenticated, @requiresScopes,
 * @policy) declared on it or on its type.
 */
import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode } from 'graphql';

export type FieldFacts = {
  owners: string[];
  pii?: string;
  authenticated: boolean;
  /**
   * One entry per @requiresScopes on the field or its type; every entry must be
   * satisfied. An entry lists alternatives (OR) of scope sets (AND), as federation defines it.
   */
  requiresScopes: string[][][];
  /** One entry per @policy, with the same OR-of-AND shape, naming policies of the global policy file. */
  policies: string[][][];
};

export type SupergraphFacts = {
  field(typeName: string, fieldName: string): FieldFacts | undefined;
  /** Every type.field the facts know, for policy validation. */
  fields(): IterableIterator<[string, FieldFacts]>;
};

const argument = (directive: ConstDirectiveNode, name: string) => {
  const node = directive.arguments?.find((arg) => arg.name.value === name);
  return node ? valueFromASTUntyped(node.value) : undefined;
};

const directivesNamed = (directives: readonly ConstDirectiveNode[] | undefined, name: string) =>
  (directives ?? []).filter((directive) => directive.name.value === name);

export function readSupergraphFacts(supergraphSdl: string | DocumentNode): SupergraphFacts {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) {
        const [graph] = directivesNamed(value.directives, 'join__graph');
        graphNames.set(value.name.value, graph ? String(argument(graph, 'name')) : value.name.value.toLowerCase());
      }
    }
  }
  const graphOf = (directive: ConstDirectiveNode) => {
    const node = directive.arguments?.find((arg) => arg.name.value === 'graph');
    return node && node.value.kind === Kind.ENUM ? graphNames.get(node.value.value) : undefined;
  };
  const facts = new Map<string, FieldFacts>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    const typeGraphs = directivesNamed(definition.directives, 'join__type').map(graphOf).filter((graph): graph is string => Boolean(graph));
    const typeAuthenticated = directivesNamed(definition.directives, 'authenticated').length > 0;
    const typeScopes = directivesNamed(definition.directives, 'requiresScopes').map((d) => argument(d, 'scopes') as string[][]);
    const typePolicies = directivesNamed(definition.directives, 'policy').map((d) => argument(d, 'policies') as string[][]);
    for (const field of definition.fields ?? []) {
      const joins = directivesNamed(field.directives, 'join__field');
      const owners = joins.length
        ? joins.filter((join) => argument(join, 'external') !== true).map(graphOf).filter((graph): graph is string => Boolean(graph))
        : typeGraphs;
      const [pii] = directivesNamed(field.directives, 'pii');
      const scopes = [...typeScopes, ...directivesNamed(field.directives, 'requiresScopes').map((d) => argument(d, 'scopes') as string[][])];
      const policies = [...typePolicies, ...directivesNamed(field.directives, 'policy').map((d) => argument(d, 'policies') as string[][])];
      facts.set(`${typeName}.${field.name.value}`, {
        owners: [...new Set(owners)],
        pii: pii ? String(argument(pii, 'category') ?? 'contact') : undefined,
        authenticated: typeAuthenticated || directivesNamed(field.directives, 'authenticated').length > 0,
        requiresScopes: scopes.filter((alternatives) => alternatives?.length),
        policies: policies.filter((alternatives) => alternatives?.length),
      });
    }
  }
  return {
    field: (typeName, fieldName) => facts.get(`${typeName}.${fieldName}`),
    fields: () => facts.entries(),
  };
}
