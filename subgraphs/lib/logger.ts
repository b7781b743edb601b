/**
 * A subgraph's structured logger (pino, as the gateway's): JSON lines with
 * `service: "subgraph"` and the domain's name, at MESHGATE_LOG_LEVEL (info
 * by default). Every request gets one access-log line (server.ts) with the
 * gateway's `x-request-id`, so a subgraph's lines join the gateway's.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createSubgraphLogger(subgraph: string, level: string = process.env.MESHGATE_LOG_LEVEL ?? 'info'): Logger {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`MESHGATE_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return pino({ level, base: { service: 'subgraph', subgraph } });
}

/** The logger of a subgraph started without one (tests): nothing is written. */
export const silentLogger = (subgraph: string) => createSubgraphLogger(subgraph, 'silent');
