/**
 * Request metrics on /metrics, per operation and per data product:
 *
 *   meshgate_requests_total{operation,status,transport}       GraphQL requests answered, by HTTP status; transport: http (/graphql) or mcp (an MCP tool's operation)
 *   meshgate_request_errors_total{operation,code}             requests whose answer carried an error with this code (once per code)
 *   meshgate_request_duration_seconds{operation}              arrival to the last byte sent (histogram)
 *   meshgate_data_product_requests_total{product}             requests that read the data product (its subgraph fetched or served from the entity cache)
 *   meshgate_data_product_request_duration_seconds{product}   latency of those requests (histogram)
 *
 * `operation` is bounded (operationLabels.ts); requests answered before
 * parsing (front-door cache hits, refused credentials or bodies) are
 * `unparsed`. A client that goes away first is counted with status 499. Error codes are bounded to well-formed codes (else `OTHER`).
 * Product labels are the descriptors' ids, a set fixed by the supergraph.
 *
 * The plugin reads the answer Apollo Server built (never the body text);
 * `finish` is called once per /graphql request by the front door, and once per
 * operation an MCP tool runs by the MCP endpoint (mcp/runOperation.ts).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { MeshContext } from '../context';
import { isAuthenticated } from '../identity/principal';
import type { Metrics } from './Metrics';
import type { MetricsConfig } from './metricsRoute';
import { OperationLabels } from './operationLabels';
import { errorCodeLabel, type RequestObservation } from './requestObservation';

export const UNPARSED_OPERATION = 'unparsed';

/** Seconds, from 5 ms (a cached answer) to 30 s (past the default subgraph timeout with retries). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** `officialNames`: the official operations' names (operations/), the only ones labelled with metrics.operationNames.officialOnly. */
export function createRequestMetrics(metrics: Metrics, config: MetricsConfig, officialNames: readonly string[] = []) {
  const { max, allowed, officialOnly } = config.operationNames;
  const labels = new OperationLabels({ max, allowed: officialOnly ? [...(allowed ?? []), ...officialNames] : allowed });
  const requests = metrics.counter('meshgate_requests_total', 'GraphQL requests answered, per operation (bounded: anonymous, other, unparsed), HTTP status and transport (http: /graphql; mcp: an MCP tool call)', ['operation', 'status', 'transport']);
  const errors = metrics.counter('meshgate_request_errors_total', 'GraphQL requests whose answer carried an error with this code (each code counted once per request)', ['operation', 'code']);
  const duration = metrics.histogram('meshgate_request_duration_seconds', 'GraphQL request latency, from arrival to the last byte of the answer', ['operation'], LATENCY_BUCKETS);
  const productRequests = metrics.counter('meshgate_data_product_requests_total', 'GraphQL requests that read the data product (fetched from its subgraph or served from the entity cache)', ['product']);
  const productDuration = metrics.histogram('meshgate_data_product_request_duration_seconds', 'Latency of the GraphQL requests that read the data product', ['product'], LATENCY_BUCKETS);

  const plugin: ApolloServerPlugin<MeshContext> = {
    async requestDidStart() {
      return {
        // Labelled as soon as the operation is known, so a request whose client goes away before the answer still has it.
        async didResolveOperation({ contextValue, operationName }) {
          if (contextValue.observed) contextValue.observed.operation = labels.labelOf(operationName, isAuthenticated(contextValue.principal));
        },
        async willSendResponse({ contextValue, operationName, response }) {
          const observed = contextValue.observed;
          if (!observed) return;
          observed.operation ??= labels.labelOf(operationName, isAuthenticated(contextValue.principal));
          const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          for (const error of result.errors ?? []) observed.errorCodes.add(errorCodeLabel(error.extensions?.code));
        },
      };
    },
  };

  return {
    plugin,
    /** The request's last byte is sent: count it, its errors, its latency, and the data products it read. */
    finish(observed: RequestObservation, status: number) {
      const operation = observed.operation ?? UNPARSED_OPERATION;
      const seconds = (performance.now() - observed.startedAt) / 1000;
      requests.inc({ operation, status: String(status), transport: observed.transport });
      duration.observe({ operation }, seconds);
      for (const code of observed.errorCodes) errors.inc({ operation, code });
      for (const product of observed.products) {
        productRequests.inc({ product });
        productDuration.observe({ product }, seconds);
      }
    },
  };
}

export type RequestMetrics = ReturnType<typeof createRequestMetrics>;
