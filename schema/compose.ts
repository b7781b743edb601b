/**
 * Composes subgraph schemas into a supergraph with Apollo's composition. Returns
 * errors and hints as data; only the command line turns them into an exit code.
 */
import { composeServices } from '@apollo/composition';
import type { DocumentNode } from 'graphql';

export type SubgraphSource = { name: string; url: string; typeDefs: DocumentNode };

export type CompositionOutcome =
  | { ok: true; supergraphSdl: string; hints: string[] }
  | { ok: false; errors: string[]; hints: string[] };

export function composeSupergraph(subgraphs: SubgraphSource[]): CompositionOutcome {
  const result = composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  const hints = (result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`);
  if (result.errors?.length) {
    return {
      ok: false,
      errors: result.errors.map((error) => {
        const code = (error.extensions?.code as string | undefined) ?? 'COMPOSITION_ERROR';
        return `${code}: ${error.message}`;
      }),
      hints,
    };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl!, hints };
}

export class CompositionError extends Error {
  constructor(readonly errors: string[]) {
    super(`The subgraphs do not compose:\n${errors.map((error) => `  - ${error}`).join('\n')}`);
  }
}

/** Composes or throws a CompositionError whose message lists every composition error. */
export function composeOrThrow(subgraphs: SubgraphSource[]): string {
  const outcome = composeSupergraph(subgraphs);
  if (!outcome.ok) throw new CompositionError(outcome.errors);
  return outcome.supergraphSdl;
}
