/**
 * The data-product catalog's model: one entry per subgraph that declares a data
 * product, built from four sources, each read when asked:
 *
 * - the descriptors, as the live supergraph last read them from the subgraphs;
 * - the supergraph being served: the types and fields each subgraph resolves,
 *   PII classification and deprecations;
 * - the compiled authorization policy: the rules that guard each field;
 * - the subgraphs' status endpoints: live freshness and the last quality results
 *   (StatusCache: short time to live, timeout, unknown when unreachable);
 * - the official operations (operations/): which of them read each product's
 *   fields (its own, not entity keys or values it shares with others), and who owns them.
 *
 * Contract: it never throws because a subgraph is down or slow; draft products
 * are listed only in development mode; retired products are listed (so their
 * consumers learn what replaced them) with no fields.
 */
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { DataProductDescriptor } from '../../../subgraphs/lib/descriptor';
import { formatAge } from '../../../subgraphs/lib/quality';
import type { CompiledPolicy } from '../authorization/compilePolicy';
import { FieldAccessReader } from '../authorization/fieldAccess';
import type { SignedPrincipal } from '../../../subgraphs/lib/signing';
import type { MeshContext } from '../context';
import { readSupergraphFacts } from '../authorization/supergraphFacts';
import type { SupergraphState } from '../supergraph/LiveSupergraph';
import type { Fetched, FetchedStatus } from '../supergraph/subgraphClient';
import { generateExamples } from './exampleQueries';
import type { StatusCache } from './StatusCache';
import type { OfficialOperation } from '../operations/officialOperations';
import { coordinatesUsedBy } from '../operations/operationUsage';

export type FieldView = {
  typeName: string;
  name: string;
  coordinate: string;
  type: string;
  description: string | null;
  pii: string | null;
  deprecationReason: string | null;
  sharedWith: string[];
};

export type TypeView = { name: string; kind: 'OBJECT' | 'INTERFACE'; description: string | null; fields: FieldView[] };

/** An official operation that reads a product, with the product's fields it selects or passes arguments to. */
export type OperationUse = { operation: OfficialOperation; fields: string[] };

export type ProductView = {
  descriptor: DataProductDescriptor;
  subgraph: string;
  url: string;
  inSupergraph: boolean;
  types: TypeView[];
  officialOperations: OperationUse[];
};

export type CatalogFilter = { search?: string | null; domain?: string | null; tag?: string | null; status?: string | null };

export type CatalogOptions = {
  mode: 'development' | 'production';
  /** The supergraph being served, with the descriptors it was composed from. */
  supergraph: () => SupergraphState;
  statuses: StatusCache;
  /** The policy enforced now; undefined when authorization is off. May throw before the first compile. */
  policy?: () => CompiledPolicy;
  /** Subgraphs served by the gateway itself (the catalog), which are not data products. */
  builtIn: string[];
  /** The official operations (operations/), shown on the products they read. */
  officialOperations?: readonly OfficialOperation[];
};

type SchemaView = { apiSchema: GraphQLSchema; typesBySubgraph: Map<string, TypeView[]>; rootFieldsBySubgraph: Map<string, string[]>; operationsBySubgraph: Map<string, OperationUse[]> };

/** Per subgraph, the official operations that use its own fields (shared keys and values do not make a product used). */
function operationsBySubgraph(operations: readonly OfficialOperation[], apiSchema: GraphQLSchema, typesBySubgraph: Map<string, TypeView[]>): Map<string, OperationUse[]> {
  const used = operations.map((operation) => ({ operation, coordinates: coordinatesUsedBy(operation.document, apiSchema) }));
  const bySubgraph = new Map<string, OperationUse[]>();
  for (const [subgraph, types] of typesBySubgraph) {
    const own = types.flatMap((type) => type.fields.filter((field) => field.sharedWith.length === 0).map((field) => field.coordinate));
    const uses = used.flatMap(({ operation, coordinates }) => {
      const fields = own.filter((coordinate) => coordinates.has(coordinate));
      return fields.length ? [{ operation, fields }] : [];
    });
    bySubgraph.set(subgraph, uses);
  }
  return bySubgraph;
}

/** The rule a policy part stands for, as written in policies/ (rule names, and/or/not, allow/deny). */
export function describeRule(rule: unknown): string {
  const node = rule as { name?: string; getRules?: () => unknown[]; constructor: { name: string } };
  const kind = node.constructor.name;
  if (kind === 'RuleTrue') return 'allow';
  if (kind === 'RuleFalse') return 'deny';
  const inner = node.getRules?.();
  if (inner) {
    const operator = { RuleAnd: 'and', RuleOr: 'or', RuleChain: 'chain', RuleRace: 'race', RuleNot: 'not' }[kind] ?? kind;
    return `${operator}(${inner.map(describeRule).join(', ')})`;
  }
  return node.name ?? kind;
}

/** Whether the SLA holds now, and what does not: availability, freshness, error-severity quality rules. */
export function slaNow(product: ProductView, status: Fetched<FetchedStatus>): { available: boolean; met: boolean | null; breaches: string[] } {
  const breaches: string[] = [];
  if (!status.ok) breaches.push(`the ${product.subgraph} subgraph does not answer (${status.reason})`);
  const freshness = status.ok ? status.value.freshness : null;
  const quality = status.ok ? status.value.quality : null;
  if (freshness?.met === false) breaches.push(`the newest record is ${formatAge(freshness.lagSeconds!)} old; the SLA allows ${product.descriptor.sla.freshness}`);
  if (quality && !quality.passed) {
    const failed = quality.results.filter((result) => !result.passed && result.severity === 'error').map((result) => result.rule);
    breaches.push(`error-severity quality rules failed at the last run: ${failed.join(', ')}`);
  }
  const known = freshness?.met != null && quality !== null;
  return { available: status.ok, met: breaches.length ? false : known ? true : null, breaches };
}

export class Catalog {
  private schemaView?: SchemaView;

  constructor(private readonly options: CatalogOptions) {}

  /** Called on every supergraph load or update. */
  updateSchema(apiSchema: GraphQLSchema, supergraphSdl: string) {
    const facts = readSupergraphFacts(supergraphSdl);
    const typesBySubgraph = new Map<string, TypeView[]>();
    const rootFieldsBySubgraph = new Map<string, string[]>();
    const queryType = apiSchema.getQueryType()?.name;
    for (const type of Object.values(apiSchema.getTypeMap())) {
      if (!(isObjectType(type) || isInterfaceType(type)) || type.name.startsWith('__')) continue;
      const byOwner = new Map<string, FieldView[]>();
      for (const field of Object.values(type.getFields())) {
        const fieldFacts = facts.field(type.name, field.name);
        for (const owner of fieldFacts?.owners ?? []) {
          const view: FieldView = {
            typeName: type.name,
            name: field.name,
            coordinate: `${type.name}.${field.name}`,
            type: String(field.type),
            description: field.description ?? null,
            pii: fieldFacts?.pii ?? null,
            deprecationReason: field.deprecationReason ?? null,
            sharedWith: fieldFacts!.owners.filter((other) => other !== owner),
          };
          (byOwner.get(owner) ?? byOwner.set(owner, []).get(owner)!).push(view);
          if (type.name === queryType) (rootFieldsBySubgraph.get(owner) ?? rootFieldsBySubgraph.set(owner, []).get(owner)!).push(field.name);
        }
      }
      for (const [owner, fields] of byOwner) {
        const entry: TypeView = { name: type.name, kind: isObjectType(type) ? 'OBJECT' : 'INTERFACE', description: type.description ?? null, fields };
        (typesBySubgraph.get(owner) ?? typesBySubgraph.set(owner, []).get(owner)!).push(entry);
      }
    }
    this.schemaView = { apiSchema, typesBySubgraph, rootFieldsBySubgraph, operationsBySubgraph: operationsBySubgraph(this.options.officialOperations ?? [], apiSchema, typesBySubgraph) };
  }

  /** Every visible product, in the order of the subgraphs. */
  all(): ProductView[] {
    const { snapshots, plan } = this.options.supergraph();
    const excluded = new Set(plan.excluded.map((entry) => entry.subgraph));
    return snapshots.flatMap(({ name, url, descriptor }) => {
      if (!descriptor || this.options.builtIn.includes(name)) return [];
      if (descriptor.status === 'draft' && this.options.mode !== 'development') return [];
      const inSupergraph = !excluded.has(name);
      // PII as the schema (@pii) or, failing that, the descriptor's pii: map classifies it.
      const types = (inSupergraph ? this.schemaView?.typesBySubgraph.get(name) ?? [] : []).map((type) => ({
        ...type,
        fields: type.fields.map((field) => ({ ...field, pii: field.pii ?? descriptor.pii[field.coordinate] ?? null })),
      }));
      const officialOperations = inSupergraph ? this.schemaView?.operationsBySubgraph.get(name) ?? [] : [];
      return [{ descriptor, subgraph: name, url, inSupergraph, types, officialOperations }];
    });
  }

  list(filter: CatalogFilter = {}): ProductView[] {
    const words = (filter.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    return this.all().filter((product) => {
      const { descriptor } = product;
      if (filter.domain && descriptor.domain !== filter.domain) return false;
      if (filter.tag && !descriptor.tags.includes(filter.tag)) return false;
      if (filter.status && descriptor.status !== filter.status.toLowerCase()) return false;
      if (!words.length) return true;
      const haystack = [
        descriptor.id,
        descriptor.name,
        descriptor.domain,
        product.subgraph,
        descriptor.owner.team,
        descriptor.description.purpose,
        ...descriptor.tags,
        ...product.types.flatMap((type) => [type.name, ...type.fields.map((field) => field.coordinate)]),
      ]
        .join('\n')
        .toLowerCase();
      return words.every((word) => haystack.includes(word));
    });
  }

  get(id: string): ProductView | null {
    return this.all().find((product) => product.descriptor.id === id) ?? null;
  }

  /** The product's live status from its subgraph (cached briefly); unknown when it cannot be read. */
  status(product: ProductView): Promise<Fetched<FetchedStatus>> {
    return this.options.statuses.get(product.subgraph, product.url);
  }

  /** The rules that must all allow reading a field, from the policy enforced now. */
  guardsOf(field: FieldView): { label: string; rule: string }[] {
    let policy: CompiledPolicy | undefined;
    try {
      policy = this.options.policy?.();
    } catch {
      return [];
    }
    return policy?.forField(field.typeName, field.name).parts.map((part) => ({ label: part.label, rule: describeRule(part.rule) })) ?? [];
  }

  /**
   * Which fields `principal` (as the signed request to the catalog names it) may read, in the graph served now and
   * under the policy enforced now; undefined when that cannot be decided now (no graph yet, or the policy failed).
   */
  accessFor(principal: SignedPrincipal): FieldAccessReader | undefined {
    const view = this.schemaView;
    let policy: CompiledPolicy | undefined;
    try {
      policy = this.options.policy?.();
    } catch {
      return undefined;
    }
    if (!view || (this.options.policy && !policy)) return undefined;
    // The rules read the principal's claims; how it authenticated to the gateway stays with the gateway.
    const context = { principal: { ...principal, authenticatedBy: principal.kind === 'anonymous' ? 'none' : 'jwt' }, requestId: 'catalog', client: {}, _shield: { cache: {} }, cache: {} } as MeshContext;
    return new FieldAccessReader(view.apiSchema, policy, context);
  }

  /** The fields of `query` that `access` says its principal may not read (FORBIDDEN for them), as coordinates. */
  async fieldsDeniedIn(query: string, access: FieldAccessReader): Promise<string[]> {
    const view = this.schemaView;
    if (!view) return [];
    const denied: string[] = [];
    for (const coordinate of coordinatesUsedBy(query, view.apiSchema)) {
      const [typeName, fieldName] = coordinate.split('.');
      if (!fieldName || !/^[_A-Za-z]\w*$/.test(fieldName) || fieldName.startsWith('__') || !isObjectType(view.apiSchema.getType(typeName))) continue;
      if ((await access.of(typeName, fieldName)).readable === 'no') denied.push(coordinate);
    }
    return denied;
  }

  /** The domain's published examples, or examples generated from its root fields. */
  async examples(product: ProductView): Promise<{ title: string; query: string }[]> {
    const status = await this.status(product);
    if (status.ok && status.value.examples.length) return status.value.examples;
    const view = this.schemaView;
    if (!view || !product.inSupergraph) return [];
    return generateExamples(view.apiSchema, view.rootFieldsBySubgraph.get(product.subgraph) ?? []);
  }
}
