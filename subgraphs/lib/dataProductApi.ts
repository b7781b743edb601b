/**
 * The wire contract between a subgraph and the gateway for everything about the
 * data product that is not GraphQL: where the status and quality endpoints are,
 * what they answer, and what the gateway signs.
 *
 *   GET  /dataproduct/status       descriptor, live freshness, last quality report, examples
 *   POST /dataproduct/quality/run  runs the quality rules now and answers the report
 *
 * Both accept only requests the gateway signed (signing.ts), like /graphql. The
 * signature covers the body, not the URL, so these requests sign a payload
 * that names the method and path: a signature captured from one endpoint (or
 * from a GraphQL request, whose body is JSON) never verifies on another.
 */
import type { DataProductDescriptor } from './descriptor';
import type { QualityReport } from './quality';
import { signRequest, type SignedPrincipal } from './signing';

export const STATUS_PATH = '/dataproduct/status';
export const QUALITY_RUN_PATH = '/dataproduct/quality/run';
/** The scope that lets a principal outside the owning domain run a product's quality rules. */
export const QUALITY_RUN_SCOPE = 'quality:run';

/** What a data-product request signs in place of a GraphQL body. */
export function signedPayload(method: string, path: string, body = ''): string {
  return `${method.toUpperCase()} ${path}\n${body}`;
}

/** The status endpoint's URL next to a subgraph's GraphQL URL (`http://h:p/graphql` → `http://h:p/dataproduct/status`). */
export function dataProductUrl(graphqlUrl: string, path: string): string {
  return new URL(`.${path}`, graphqlUrl).toString();
}

export type FreshnessStatus = {
  /** The newest record of the product: the stalest table's newest row when several tables are measured. Null when unknown. */
  newestRecordAt: string | null;
  /** Seconds between newestRecordAt and checkedAt. */
  lagSeconds: number | null;
  /** sla.freshness in seconds. */
  targetSeconds: number;
  /** lagSeconds <= targetSeconds; null when it could not be measured. */
  met: boolean | null;
  /** Which timestamp columns were read (`schema.table.column`), from the descriptor's freshness rules. */
  measuredOn: string[];
  /** Why freshness could not be measured (no freshness rule, an empty table, a database error). */
  problem?: string;
};

export type ExampleQuery = { title: string; query: string };

export type DataProductStatus = {
  subgraph: string;
  descriptor: DataProductDescriptor;
  /** When this status was computed (freshness is live as of then). */
  checkedAt: string;
  freshness: FreshnessStatus;
  /** The last quality run (scheduled or on demand) since the subgraph started; null before the first one. */
  quality: QualityReport | null;
  /** Example operations the domain publishes (examples.graphql beside its schema). */
  examples: ExampleQuery[];
};

export class DataProductRequestError extends Error {
  constructor(readonly status: number | null, message: string, readonly code?: string) {
    super(message);
  }
}

/**
 * Calls subgraph `subgraph`'s data-product endpoint on behalf of `principal`, signed
 * with the gateway's `signingKey` (unsigned when there is none), and returns the parsed JSON answer.
 * Throws a DataProductRequestError with the HTTP status (null when there was no
 * answer) and the subgraph's message.
 */
export async function requestDataProduct<T>(
  graphqlUrl: string,
  path: typeof STATUS_PATH | typeof QUALITY_RUN_PATH,
  options: { subgraph: string; signingKey?: string; principal: SignedPrincipal; timeoutMs: number },
): Promise<T> {
  const method = path === STATUS_PATH ? 'GET' : 'POST';
  const headers = options.signingKey
    ? signRequest({ audience: options.subgraph, principal: options.principal, body: signedPayload(method, path), signingKey: options.signingKey })
    : {};
  let response: Response;
  try {
    response = await fetch(dataProductUrl(graphqlUrl, path), { method, headers, signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : cause?.code ?? cause?.message ?? (error as Error).message;
    throw new DataProductRequestError(null, reason);
  }
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DataProductRequestError(response.status, `HTTP ${response.status}, not JSON`);
  }
  if (!response.ok) {
    const error = body?.errors?.[0];
    throw new DataProductRequestError(response.status, error?.message ?? body?.error ?? `HTTP ${response.status}`, error?.extensions?.code);
  }
  return body as T;
}
