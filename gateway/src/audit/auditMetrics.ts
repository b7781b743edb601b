/**
 * The audit log's backpressure as a Prometheus counter: how often a record
 * had to wait for room in the full buffer (its request was slowed to the
 * sink's pace) and how often one was refused after `audit.maxWaitMs` (its
 * request got 503 AUDIT_UNAVAILABLE). Either one rising means the sink is too
 * slow for the load, long before anything is lost.
 */
import type { Metrics } from '../metrics/Metrics';

export function auditBackpressureMetric(metrics: Metrics): (outcome: 'waited' | 'refused') => void {
  const counter = metrics.counter('meshgate_audit_backpressure_total', 'Audit records that waited for room in the full audit buffer (waited) or were refused after audit.maxWaitMs (refused)', ['outcome']);
  counter.inc({ outcome: 'waited' }, 0);
  counter.inc({ outcome: 'refused' }, 0);
  return (outcome) => counter.inc({ outcome });
}
