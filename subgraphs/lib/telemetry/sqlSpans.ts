/**
 * A span per SQL statement a subgraph runs (`meshgate.sql`, kind CLIENT),
 * child of the resolver span that asked (through a dataloader batch, one span
 * per batched statement, not per key).
 *
 * Records the statement's text (up to 1,000 characters) and its operation:
 * meshgate's statements are parameterized, so the text holds no data. Never
 * records parameter values: they are the keys and filters of the request
 * (customer ids, emails).
 */
import { inSpan, SpanKind, tracingActive } from './spans';

const MAX_TEXT = 1000;

export function tracedSql<T>(sql: string, run: () => Promise<T>): Promise<T> {
  if (!tracingActive()) return run();
  return inSpan(
    'meshgate.sql',
    {
      kind: SpanKind.CLIENT,
      attributes: () => ({
        'db.system.name': 'postgresql',
        'db.operation.name': /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'UNKNOWN',
        'db.query.text': sql.length > MAX_TEXT ? `${sql.slice(0, MAX_TEXT)}…` : sql,
      }),
    },
    run,
  );
}
