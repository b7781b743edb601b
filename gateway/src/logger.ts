/** The gateway's structured logger (pino), and an adapter for Apollo's logger interface. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'meshgate' } });
}

export function apolloLogger(logger: Logger) {
  const child = logger.child({ component: 'apollo' });
  return {
    debug: (message: unknown) => child.debug(String(message)),
    info: (message: unknown) => child.info(String(message)),
    warn: (message: unknown) => child.warn(String(message)),
    error: (message: unknown) => child.error(String(message)),
  };
}
