/**
 * Large bodies take turns with the event loop: at most one is let through per
 * turn of the loop, so that 8 bodies of 1 MiB arriving together are parsed
 * (JSON, then GraphQL up to the token limit) one per turn, with /health and
 * small requests answered in between, instead of back to back.
 *
 * Why by hand: what is needed is "one waiter per loop iteration", which
 * neither a concurrency limiter (p-limit lets the next one run in the same
 * tick) nor a bare setImmediate per request (every immediate queued before the
 * check phase runs in that one phase) gives. A waiter is released from a
 * setImmediate callback, and the next release is queued from inside it, so it
 * runs in the next iteration, after the poll phase has served what arrived.
 *
 * Guarantees: every waiter is released, in arrival order; a release costs one
 * loop turn. Must never hold a request once it is released (the parse and the
 * limits that follow run at once), and never delay a small body (the caller
 * decides what is large).
 */
/** Bodies from this size on take turns to be parsed; a typical operation is a few KB. */
export const LARGE_BODY_BYTES = 16_384;

/** One per gateway: /graphql and /mcp bodies take turns with each other. */
export class TurnTaker {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** Resolves on a later turn of the event loop than any other waiter's. */
  take(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || !this.waiting.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()!();
      this.schedule();
    });
  }
}
