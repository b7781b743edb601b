/**
 * Names for the parameterized statements a subgraph sends to a real PostgreSQL
 * server, so each connection parses and plans a statement text once and then
 * only binds and executes it (pg's `name` option), instead of sending it as the
 * unnamed statement that the server parses, analyzes and plans again every
 * time. The subgraphs send a few dozen texts over and over (the loaders'
 * `WHERE id = ANY($1::int[])`, the pages with their optional filters): measured
 * on the bench database, a 50-row lookup cost its PostgreSQL backend about a
 * third less CPU named than unnamed.
 *
 * Guarantees: a name stands for exactly one text (a SHA-256 of it), so pg's
 * "prepared statements must be unique" can never be hit; at most `max` texts
 * are named, later ones run unnamed, so neither the server's nor pg's memory
 * per connection grows with the number of distinct texts; a text that a named
 * statement cannot run any more (`0A000`, "cached plan must not change result
 * type": its table changed shape under a `SELECT *`) is never named again and
 * runs unnamed, as before.
 *
 * Must never be used against the embedded PGlite session server, where every
 * connection shares one session and two connections preparing one name
 * collide (pgliteSessionServer.ts); PgDb asks the server which it is first.
 */
import { createHash } from 'node:crypto';

/** PostgreSQL's feature_not_supported, which a prepared statement raises when its result type changed. */
const RESULT_TYPE_CHANGED = '0A000';

export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly unnamed = new Set<string>();

  constructor(private readonly max = 500) {}

  /** The name to prepare `text` under, or undefined when it runs unnamed. */
  nameFor(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.unnamed.has(text)) return known;
    if (this.names.size >= this.max) return undefined;
    const name = `mg_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    this.names.set(text, name);
    return name;
  }

  /** Whether `error`, from running `text` named, means it must run unnamed from now on (then it is no longer named). */
  mustRunUnnamed(text: string, error: unknown): boolean {
    if ((error as { code?: unknown } | null)?.code !== RESULT_TYPE_CHANGED || !this.names.delete(text)) return false;
    this.unnamed.add(text);
    return true;
  }
}

/** Whether a server's `version()` is the embedded PGlite's, whose one shared session cannot hold per-connection named statements. */
export const isPgliteVersion = (version: string) => /\bPGlite\b/.test(version);
