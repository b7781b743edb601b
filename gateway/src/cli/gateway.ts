/**
 * `npm run gateway -- [--supergraph FILE] [--host H] [--port N] [--config FILE] [--policies mesh|permissive|PATH]`:
 * runs the gateway alone. With --supergraph it fronts any Federation 1 or 2
 * supergraph with the permissive policy (unless --policies or the config file
 * says otherwise); without it, it composes the local domains at their default
 * ports under the mesh's policies. With `server.workers` (MESHGATE_WORKERS) > 1
 * it runs that many gateway processes on the same port (cli/workers.ts).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { ConfigError } from '../configError';
import { withPlainGatewayDefaults } from '../limits/config';
import { startGateway } from '..';
import { limitHeapGrowth } from './heapGrowth';
import { isWorker, joinWorkers, runWorkers } from './workers';

/** Without a supergraph file, the gateway composes the local domains at the ports `npm start` gives them. */
async function localMeshDefaults() {
  const { DEFAULT_PORTS, domains } = await import('../../../subgraphs');
  return { subgraphs: domains.map((domain) => ({ name: domain.name, url: `http://127.0.0.1:${DEFAULT_PORTS[domain.name]}/graphql` })) };
}

async function main() {
  // V8's old generation grows to 3x what a full collection kept, not 4x: most of the peak RSS under load (heapGrowth.ts).
  limitHeapGrowth();
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      supergraph: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      policies: { type: 'string' },
    },
  });
  const config = loadConfig({
    file: values.config,
    defaults: values.supergraph ? {} : await localMeshDefaults(),
    overrides: (raw) => {
      if (values.supergraph) {
        raw.supergraph = { ...raw.supergraph, source: 'file', file: values.supergraph };
        // Trying the gateway on an existing graph: our domains' policies do not apply to it.
        raw.authorization = { policies: 'permissive', ...raw.authorization };
        // Nor do our list-size assumptions: realistic queries of an unknown graph get through (limits/config.ts).
        raw.limits = withPlainGatewayDefaults(raw.limits) as typeof raw.limits;
        // Nor do our official operations (operations/): they are documents of our graph.
        raw.operations = { dir: null, ...raw.operations };
      }
      if (values.policies) raw.authorization = { ...raw.authorization, policies: values.policies };
      if (values.host) raw.server = { ...raw.server, host: values.host };
      if (values.port) raw.server = { ...raw.server, port: Number(values.port) };
    },
  });
  if (config.server.workers > 1 && !isWorker()) {
    // The workers stop as one gateway does; the primary waits for that (grace, drain, audit flush) before killing them.
    const stopTimeoutMs = config.shutdown.readinessGraceMs + config.shutdown.drainTimeoutMs + 20_000;
    const url = await runWorkers(config.server.workers, (line) => console.log(line), { stopTimeoutMs });
    console.log(`meshgate listening at ${url} (${config.server.workers} worker processes)`);
    return;
  }
  const running = await startGateway(config);
  if (isWorker()) joinWorkers(running.url, running.metrics);
  else console.log(`meshgate listening at ${running.url}`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const { readinessGraceMs, drainTimeoutMs } = config.shutdown;
    console.log(`${signal} received: /ready answers 503; serving ${readinessGraceMs} ms more, then draining requests in flight (up to ${drainTimeoutMs} ms) and stopping`);
    try {
      // /ready 503, the grace period, the drain, then Apollo and the cache stop, and the audit log is flushed last.
      await running.stop();
      process.exit(0);
    } catch (error) {
      console.error(`meshgate did not stop cleanly: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : `meshgate failed to start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
