/**
 * MCP resources: each data product's descriptor (its dataproduct.yaml, as the
 * catalog read it), at `meshgate://data-products/<id>`, as JSON.
 *
 * Listing and reading go through the request pipeline as the caller: the list
 * is the caller's answer to `dataProducts`, and a read first asks
 * `dataProduct(id)`, so a product the caller may not see (a draft outside
 * development, or a catalog the policy denies) is neither listed nor read,
 * and both are audited like any tool call. Only then is the descriptor taken
 * from the catalog model (gateway/src/catalog/Catalog.ts).
 */
import { ErrorCode, McpError, type ReadResourceResult, type Resource } from '@modelcontextprotocol/sdk/types.js';
import type { Catalog } from '../catalog/Catalog';
import type { ToolEnv } from './tools';
import type { OperationOutcome } from './runOperation';

export const RESOURCE_PREFIX = 'meshgate://data-products/';
export const LIST_RESOURCES = 'resources/list';
export const READ_RESOURCE = 'resources/read';

const LIST = `query McpListDataProducts { dataProducts { id name description { purpose } } }`;
const VISIBLE = `query McpDataProductVisible($id: ID!) { dataProduct(id: $id) { id } }`;

type Listed = { id: string; name: string; description: { purpose: string } | null };

/** Why a product could not be read: the denial or error of the visibility query, if there was one. */
const refusedBy = (outcome: OperationOutcome): string | undefined => outcome.denied[0]?.message ?? outcome.errors[0]?.message;

export async function listResources(env: ToolEnv): Promise<{ resources: Resource[]; outcome: OperationOutcome }> {
  const outcome = await env.run(env.context, LIST_RESOURCES, { query: LIST, operationName: 'McpListDataProducts' }, { gatewayDocument: true });
  const products = ((outcome.data as { dataProducts?: Listed[] | null } | null)?.dataProducts ?? []) as Listed[];
  const resources = products.map((product) => ({
    uri: `${RESOURCE_PREFIX}${encodeURIComponent(product.id)}`,
    name: product.id,
    title: `${product.name}: data product descriptor`,
    ...(product.description?.purpose && { description: product.description.purpose }),
    mimeType: 'application/json',
  }));
  return { resources, outcome };
}

export async function readResource(uri: string, env: ToolEnv, catalog: Catalog): Promise<{ result?: ReadResourceResult; outcome: OperationOutcome; refused?: string }> {
  if (!uri.startsWith(RESOURCE_PREFIX)) throw new McpError(ErrorCode.InvalidParams, `Unknown resource ${uri}; data-product descriptors are at ${RESOURCE_PREFIX}<id>`);
  const id = decodeURIComponent(uri.slice(RESOURCE_PREFIX.length));
  const outcome = await env.run(env.context, READ_RESOURCE, { query: VISIBLE, operationName: 'McpDataProductVisible', variables: { id } }, { gatewayDocument: true });
  const visible = (outcome.data as { dataProduct?: { id: string } | null } | null)?.dataProduct;
  const product = visible ? catalog.get(id) : null;
  if (!product) return { outcome, refused: refusedBy(outcome) ?? `There is no data product ${id}` };
  return { outcome, result: { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(product.descriptor, null, 2) }] } };
}
