/**
 * The executor's metrics on /metrics:
 *
 *   meshgate_query_plan_executions_total{outcome}     prepared (a plan kept for the operation), planned (prepared now), apollo (@apollo/gateway's executor)
 *   meshgate_subgraph_requests{subgraph,state}        per subgraph: the limit in flight, in flight now, and waiting for a slot
 *
 * Labels are bounded: three outcomes, three states, and the subgraphs of the
 * supergraph served. Reading them never changes what the executor does.
 */
import type { MeshGateway } from '../execution/MeshGateway';
import type { ExecutionOutcome } from '../execution/plan/PlanExecutor';
import type { Metrics } from './Metrics';

export function createExecutionMetrics(metrics: Metrics) {
  const executions = metrics.counter(
    'meshgate_query_plan_executions_total',
    "Operations run by meshgate's executor with a prepared plan (prepared) or one prepared now (planned), or handed to @apollo/gateway's executor (apollo)",
    ['outcome'],
  );
  return {
    /** MeshGateway's onExecution. */
    onExecution: (outcome: ExecutionOutcome) => executions.inc({ outcome }),
    /** The gateway's subgraph concurrency, read at each scrape. */
    watch(gateway: MeshGateway) {
      metrics.gauge('meshgate_subgraph_requests', 'Requests to each subgraph: the limit in flight (adapted to its latency unless fixed), in flight now, and waiting for a slot', ['subgraph', 'state'], function collect() {
        this.reset();
        for (const { subgraph, limit, running, waiting } of gateway.subgraphConcurrency()) {
          this.set({ subgraph, state: 'limit' }, limit);
          this.set({ subgraph, state: 'in_flight' }, running);
          this.set({ subgraph, state: 'waiting' }, waiting);
        }
      });
    },
  };
}
