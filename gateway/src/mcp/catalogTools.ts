/**
 * The catalog tools: search the data products, and describe one (owner, SLA,
 * live freshness, last quality results, the fields it contributes and which
 * of them the caller may read). Both read the catalog through the GraphQL
 * API (`dataProducts`, `dataProduct`, gateway/src/catalog/) as the caller, so
 * the catalog's own policy, the limits, the cache and the audit apply. The
 * describe tool asks the catalog page's own product query (catalog/productQuery.ts),
 * so an assistant is told what the page shows; each field's access is the
 * catalog's yourAccess (the enforced policy's decision), given in the
 * tool's words (`access`: yes, no with the rule and reason, or per-row).
 * Their input schemas are generated from their documents like any tool's.
 */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { FieldAccess } from '../authorization/fieldAccess';
import { PRODUCT_QUERY } from '../catalog/productQuery';
import { operationResult } from './toolResult';
import type { McpTool, ToolEnv } from './tools';
import { variablesJsonSchema } from './variablesSchema';

const SEARCH = /* GraphQL */ `query McpSearchDataProducts($search: String, $domain: String, $tag: String, $status: DataProductStatus) {
  dataProducts(search: $search, domain: $domain, tag: $tag, status: $status) {
    id name domain status version tags
    owner { team contact }
    description { purpose }
    sla { availability latencyP95Ms freshness met breaches }
    freshness { lagSeconds targetSeconds met problem }
    quality { ranAt score passed failedRules }
    officialOperations { name }
  }
}`;

/** The catalog's DataProductFieldAccess (null when it cannot be decided now: no graph yet, or the policy failed). */
type CatalogAccess = { readable: 'YES' | 'NO' | 'PER_ROW'; rule: string | null; reason: string | null } | null;
type FieldData = { coordinate: string; name: string; yourAccess?: CatalogAccess; access?: FieldAccess };
type ProductData = { types?: { name: string; fields: FieldData[] }[]; fieldsYouMayRead?: string };

const operationOf = (source: string) => parse(source).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;

const toolAccess = (access: NonNullable<CatalogAccess>): FieldAccess =>
  access.readable === 'YES'
    ? { readable: 'yes' }
    : access.readable === 'NO'
      ? { readable: 'no', rule: access.rule ?? '', reason: access.reason ?? '' }
      : { readable: 'per-row', rules: (access.rule ?? '').split(', ').filter(Boolean) };

/** Gives every field of the product whether the caller may read it in the tool's words, and a count. */
function withAccess(product: ProductData) {
  let readable = 0;
  let total = 0;
  for (const type of product.types ?? []) {
    for (const field of type.fields) {
      // One statement of the access per field: the tool's words replace the catalog's.
      if (field.yourAccess) field.access = toolAccess(field.yourAccess);
      delete field.yourAccess;
      total += 1;
      if (field.access?.readable === 'yes') readable += 1;
    }
  }
  product.fieldsYouMayRead = `${readable} of ${total} fields readable by you without conditions; see each field's access (no: the rule and reason; per-row: decided on each record)`;
}

function catalogTool(name: string, title: string, description: string, source: string, annotate?: (data: Record<string, unknown>, env: ToolEnv) => Promise<void>): McpTool {
  const operation = operationOf(source);
  const operationName = operation.name!.value;
  return {
    definitionFor: (env) => ({ name, title, description, inputSchema: variablesJsonSchema(env.schema, operation) as never, annotations: { title, readOnlyHint: true, openWorldHint: false } }),
    async call(args, env) {
      // The catalog's documents are the gateway's own (only variables come from the caller): official by construction.
      const outcome = await env.run(env.context, name, { query: source, operationName, variables: args }, { gatewayDocument: true });
      if (annotate && outcome.data && typeof outcome.data === 'object') await annotate(outcome.data as Record<string, unknown>, env);
      return { ...operationResult(outcome, env.maxResultBytes), operationName, operationHash: outcome.operationHash };
    },
  };
}

export const SEARCH_TOOL = 'search_data_products';
export const DESCRIBE_TOOL = 'describe_data_product';
export const CATALOG_TOOLS = [SEARCH_TOOL, DESCRIBE_TOOL];

export const catalogTools = (): McpTool[] => [
  catalogTool(
    SEARCH_TOOL,
    'Search data products',
    'Finds the data products of the mesh: each with its owner, status, SLA (and whether it is met now), live freshness and last quality results. ' +
      '`search` matches words in the id, name, domain, tags, owner, purpose and the names of its types and fields; leave every argument out to list them all. ' +
      'Each lists the official operations that use it: call the tool of the same name. Use describe_data_product for a product\'s fields and which of them you may read.',
    SEARCH,
  ),
  catalogTool(
    DESCRIBE_TOOL,
    'Describe a data product',
    'One data product in full: owner and contact, purpose, limitations and usage, terms of use, SLA and whether it is met now, freshness, quality rules, ' +
      'the types and fields it contributes with the rules guarding each, whether the caller may read each field (access: yes, no with the rule and reason, ' +
      'or per-row), the official operations that use it (each is a tool of the same name) and example queries.',
    PRODUCT_QUERY,
    async (data) => {
      if (data.dataProduct) withAccess(data.dataProduct as ProductData);
    },
  ),
];
