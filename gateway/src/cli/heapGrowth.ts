/**
 * How far V8 lets the gateway's old generation grow past what its last full
 * collection kept alive: a factor of 3 (`--heap-growing-percent=200`) instead
 * of V8's own choice, which is 4 whenever collections are cheap next to the
 * program's work, as they are in a gateway (a live heap of about 50 MB,
 * marked concurrently in 10 to 15 ms).
 *
 * Why: a gateway's garbage is request data that outlived a young-generation
 * collection or two (requests in flight last hundreds of milliseconds). With
 * V8's factor the old generation fills with it to about 4x the live heap
 * (200 MB over a 50 MB live heap) before it is marked, and that is most of the
 * process's peak RSS under load; at 3x the peak is about 50 MB lower and full
 * collections come a third more often. 2x (100) halved the peak's heap but cost
 * measurably more CPU per request on the hops workload. Measured in
 * docs/operations.md ("Gateway memory under load").
 *
 * Guarantees: called once at the start of every gateway process (each
 * worker too), before the gateway is built; an operator's own
 * `--heap-growing-percent` (node's options or NODE_OPTIONS) is kept.
 * Must never: change any other V8 setting.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 200;

/** Whether node was started with its own `--heap-growing-percent` (which then stays as given). */
export function heapGrowthChosenByOperator(execArgv: readonly string[], nodeOptions: string): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((option) => /^--heap[-_]growing[-_]percent(=|$)/.test(option));
}

/** Sets the factor for this process unless the operator chose one; says whether it did. */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  if (heapGrowthChosenByOperator(execArgv, nodeOptions)) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
