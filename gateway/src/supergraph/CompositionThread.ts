/**
 * Composes supergraphs in a worker thread (node:worker_threads), off the
 * request path: Apollo's composition takes a few hundred milliseconds to over
 * a second of CPU per attempt (refused attempts included), which on the main
 * thread would stall every request and /health for that long.
 *
 * Contract:
 * - `compose()` resolves with the same outcome as `composeSupergraph()` in
 *   schema/compose.ts (errors as data); it rejects only when the thread itself
 *   fails (it could not start, or it died), and the next call starts a new one;
 * - the thread starts on first use and ends after `idleMs` without work, so an
 *   idle gateway does not keep composition's memory; it never keeps the
 *   process alive (unref'd) and `close()` ends it at once;
 * - only schema text crosses the boundary (parsed again in the thread).
 *
 * The entry resolves from the sources (tsx, jest: `compositionWorker.ts`, with
 * tsx's CommonJS hook loaded in the thread, which has no TypeScript loader of
 * its own) and from the build (`npm start`: `compositionWorker.js`). Written by
 * hand because the one job (one request/answer channel with restart) is
 * smaller than a worker-pool library's configuration.
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { print } from 'graphql';
import type { CompositionOutcome, SubgraphSource } from '../../../schema/compose';
import type { CompositionReply, CompositionRequest } from './compositionWorker';

const WORKER_ENTRY = join(__dirname, `compositionWorker${extname(__filename)}`);
const DEFAULT_IDLE_MS = 30_000;

/** A schema's text for the thread: the text it was parsed from when known, else printed. */
export type ComposableSubgraph = SubgraphSource & { sdl?: string };

function startWorker(): Worker {
  if (WORKER_ENTRY.endsWith('.ts')) {
    const code = `require('tsx/cjs'); require(${JSON.stringify(WORKER_ENTRY)});`;
    return new Worker(code, { eval: true, execArgv: [] });
  }
  return new Worker(WORKER_ENTRY, { execArgv: [] });
}

export class CompositionThread {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(outcome: CompositionOutcome): void; reject(error: Error): void }>();
  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly idleMs = DEFAULT_IDLE_MS) {}

  compose(subgraphs: ComposableSubgraph[]): Promise<CompositionOutcome> {
    const request: CompositionRequest = { id: this.nextId++, subgraphs: subgraphs.map(({ name, url, typeDefs, sdl }) => ({ name, url, sdl: sdl ?? print(typeDefs) })) };
    const worker = this.running();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    return new Promise<CompositionOutcome>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  }

  /** Ends the thread; compositions still running are rejected. */
  async close() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.failPending(new Error('the composition thread was closed'));
    await worker?.terminate();
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    worker.unref();
    worker.on('message', ({ id, outcome }: CompositionReply) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      waiting?.resolve(outcome);
      if (this.pending.size === 0) this.scheduleIdleStop(worker);
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failPending(error);
    };
    worker.on('error', (error) => fail(new Error(`the composition thread failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`the composition thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private scheduleIdleStop(worker: Worker) {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private failPending(error: Error) {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
