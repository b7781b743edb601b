/**
 * The composition thread's entry (CompositionThread.ts starts it): parses the
 * subgraphs' schema text and composes them with @apollo/composition, one
 * request at a time, answering `{ id, outcome }`.
 *
 * It must never touch the gateway's state: it receives text and returns text
 * (the supergraph or the composition errors), so nothing but strings crosses
 * the thread boundary.
 */
import { parentPort } from 'node:worker_threads';
import { parse } from 'graphql';
import { composeSupergraph, type CompositionOutcome } from '../../../schema/compose';

export type CompositionRequest = { id: number; subgraphs: { name: string; url: string; sdl: string }[] };
export type CompositionReply = { id: number; outcome: CompositionOutcome };

function compose(request: CompositionRequest): CompositionOutcome {
  try {
    return composeSupergraph(request.subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  } catch (error) {
    // A schema that does not parse, or composition itself throwing: a refusal like any other, never a dead thread.
    return { ok: false, errors: [`COMPOSITION_ERROR: ${(error as Error).message}`], hints: [] };
  }
}

parentPort?.on('message', (request: CompositionRequest) => {
  parentPort!.postMessage({ id: request.id, outcome: compose(request) } satisfies CompositionReply);
});
