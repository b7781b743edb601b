/**
 * Stops the gateway's HTTP server without cutting requests short, in the order
 * a load balancer needs (the caller has already turned /ready to 503):
 *
 * 1. grace: for `readinessGraceMs` the server keeps accepting and serving as
 *    usual, so traffic sent before the balancer noticed the 503 is answered;
 *    every answer from now on carries `Connection: close` (server.ts), so
 *    kept-alive clients reconnect, through the balancer, elsewhere;
 * 2. drain: the listener closes (new connections are refused), idle
 *    connections are closed, and requests in flight have `drainTimeoutMs` to
 *    finish; a connection is closed as soon as its request is answered;
 * 3. only after the drain timeout are the connections still open closed, and
 *    how many requests that cut off is reported.
 *
 * It must never close a connection while its request is being answered before
 * the drain timeout, and never wait longer than grace + drain timeout.
 */
import type { Server } from 'node:http';

export type ShutdownTimings = { readinessGraceMs: number; drainTimeoutMs: number };

export type DrainOutcome = {
  /** Requests in flight when the listener closed (after the grace period). */
  inFlightAtClose: number;
  /** Requests still in flight at the drain timeout, whose connections were closed. */
  cutOff: number;
};

const IDLE_SWEEP_MS = 50;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class GracefulShutdown {
  private inFlight = 0;

  /** Create it with the server, before it listens: it counts requests from the first one. */
  constructor(private readonly server: Server) {
    server.on('request', (_req, res) => {
      this.inFlight++;
      res.once('close', () => this.inFlight--);
    });
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  async stop({ readinessGraceMs, drainTimeoutMs }: ShutdownTimings): Promise<DrainOutcome> {
    if (readinessGraceMs > 0) await sleep(readinessGraceMs);
    const inFlightAtClose = this.inFlight;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // A kept-alive connection becomes idle once its request is answered; close it then rather than at the timeout.
    const sweep = setInterval(() => this.server.closeIdleConnections(), IDLE_SWEEP_MS);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([closed.then(() => 'drained' as const), new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), drainTimeoutMs)))]);
    clearTimeout(timer);
    clearInterval(sweep);
    if (outcome === 'drained') return { inFlightAtClose, cutOff: 0 };
    const cutOff = this.inFlight;
    this.server.closeAllConnections();
    await closed;
    return { inFlightAtClose, cutOff };
  }
}
