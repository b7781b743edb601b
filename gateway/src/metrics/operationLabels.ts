/**
 * The label value an operation name gets in the request metrics. Operation
 * names are chosen by clients, so they cannot be label values as they are: a
 * client sending a fresh name per request would grow every series without
 * bound (memory in the gateway, cost in Prometheus). The cardinality is
 * bounded here:
 *
 * - no name: `anonymous`;
 * - with `allowed` (the official operations): only those names, every other
 *   name `other`;
 * - otherwise the first `max` distinct names seen from authenticated
 *   principals (100 by default), then `other`; an anonymous principal's name
 *   is labelled only if it already has a label, so unauthenticated clients can
 *   never use up the slots;
 * - a name that is not a GraphQL name, or longer than 64 characters: `other`.
 *
 * So a gateway exports at most max + 2 operation labels per metric, whatever
 * its clients send. A slot, once given, is kept for the process's life.
 */
export const ANONYMOUS_OPERATION = 'anonymous';
export const OTHER_OPERATION = 'other';

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export class OperationLabels {
  private readonly labelled = new Set<string>();
  private readonly allowed?: ReadonlySet<string>;

  constructor(private readonly options: { max: number; allowed?: readonly string[] }) {
    if (options.allowed) this.allowed = new Set(options.allowed);
  }

  labelOf(name: string | null | undefined, authenticated: boolean): string {
    if (!name) return ANONYMOUS_OPERATION;
    if (this.allowed) return this.allowed.has(name) ? name : OTHER_OPERATION;
    if (this.labelled.has(name)) return name;
    if (!authenticated || !NAME.test(name) || this.labelled.size >= this.options.max) return OTHER_OPERATION;
    this.labelled.add(name);
    return name;
  }
}
