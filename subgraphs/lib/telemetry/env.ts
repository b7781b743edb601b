/**
 * A subgraph process's tracing settings, from the environment `npm start`
 * gives it (the gateway's tracing.endpoint and sampleRatio, whatever file or
 * variable they came from): MESHGATE_TRACING_ENDPOINT (off without it) and
 * MESHGATE_TRACING_SAMPLE_RATIO (0 to 1, default 1). A bad value stops the
 * subgraph at start-up with an error naming the variable, the expected and
 * the given value.
 */
import type { TracingOptions } from './tracing';

export const TRACING_ENDPOINT_ENV = 'MESHGATE_TRACING_ENDPOINT';
export const TRACING_SAMPLE_RATIO_ENV = 'MESHGATE_TRACING_SAMPLE_RATIO';

export function tracingFromEnv(env: NodeJS.ProcessEnv, serviceName: string): TracingOptions | undefined {
  const endpoint = env[TRACING_ENDPOINT_ENV]?.trim();
  if (!endpoint) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw new Error(`${TRACING_ENDPOINT_ENV}: expected an http(s) URL of an OTLP HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces, got "${endpoint}"`);
  const rawRatio = env[TRACING_SAMPLE_RATIO_ENV]?.trim();
  const sampleRatio = rawRatio ? Number(rawRatio) : 1;
  if (Number.isNaN(sampleRatio) || sampleRatio < 0 || sampleRatio > 1) throw new Error(`${TRACING_SAMPLE_RATIO_ENV}: expected a ratio from 0 to 1, got "${rawRatio}"`);
  return { endpoint, serviceName, sampleRatio };
}
