/**
 * What the gateway asks a subgraph outside of query plans: its schema
 * (`{ _service { sdl } }`, as federation defines it) and its data-product
 * status. Both requests are signed like every other request to a subgraph.
 *
 * Contract: never throws; each answer is either the value or the reason it
 * could not be had (unreachable, timeout, HTTP status, an invalid descriptor).
 */
import { requestDataProduct, STATUS_PATH, type DataProductStatus } from '../../../subgraphs/lib/dataProductApi';
import { parseDescriptor, type DataProductDescriptor } from '../../../subgraphs/lib/descriptor';
import { signRequest, type SignedPrincipal } from '../../../subgraphs/lib/signing';

export type Fetched<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Who the gateway is when it asks on its own behalf (schema polling, catalog status). */
export const GATEWAY_PRINCIPAL: SignedPrincipal = { id: 'meshgate-gateway', kind: 'service', roles: [], scopes: [], domains: [] };

const SDL_QUERY = JSON.stringify({ query: 'query __ApolloGetServiceDefinition__ { _service { sdl } }' });

/** `signingKey`: the gateway's private key (PEM or JWK text); requests are unsigned without one. */
export type SubgraphClientOptions = { signingKey?: string; timeoutMs: number };

const reasonOf = (error: unknown, timeoutMs: number) => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause?.code ?? cause?.message ?? (error as Error).message;
};

export type FetchedSchema = { sdl: string };

export async function fetchSubgraphSchema(subgraph: string, url: string, options: SubgraphClientOptions): Promise<Fetched<FetchedSchema>> {
  try {
    const headers = options.signingKey ? signRequest({ audience: subgraph, principal: GATEWAY_PRINCIPAL, body: SDL_QUERY, signingKey: options.signingKey }) : {};
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: SDL_QUERY,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const body = (await response.json().catch(() => null)) as { data?: { _service?: { sdl?: string } }; errors?: { message: string }[] } | null;
    const sdl = body?.data?._service?.sdl;
    if (!response.ok || !sdl) return { ok: false, reason: body?.errors?.[0]?.message ?? `HTTP ${response.status} without a schema` };
    return { ok: true, value: { sdl } };
  } catch (error) {
    return { ok: false, reason: reasonOf(error, options.timeoutMs) };
  }
}

export type FetchedStatus = DataProductStatus & { descriptor: DataProductDescriptor };

/** The subgraph's data-product status, its descriptor validated again on this side. */
export async function fetchDataProductStatus(subgraph: string, url: string, options: SubgraphClientOptions): Promise<Fetched<FetchedStatus>> {
  try {
    const status = await requestDataProduct<DataProductStatus>(url, STATUS_PATH, { subgraph, signingKey: options.signingKey, principal: GATEWAY_PRINCIPAL, timeoutMs: options.timeoutMs });
    const outcome = parseDescriptor(status.descriptor, `${url} descriptor`);
    if (!outcome.ok) return { ok: false, reason: `its descriptor is invalid: ${outcome.errors.join('; ')}` };
    return { ok: true, value: { ...status, descriptor: outcome.descriptor } };
  } catch (error) {
    const status = (error as { status?: number | null }).status;
    return { ok: false, reason: status ? `HTTP ${status}: ${(error as Error).message}` : (error as Error).message };
  }
}
