/**
 * The `audit` config section and the audit log it describes:
 *
 *   audit:
 *     sink: file            # or postgres
 *     file: .data/audit/audit.jsonl
 *     postgresUrl: postgres://...   # required when sink is postgres
 *     flushIntervalMs: 200  # write at least this often while records wait
 *     maxBatch: 500         # ... or as soon as this many wait
 *     maxBuffered: 100000   # beyond this, a request waits for room before it is answered ...
 *     maxWaitMs: 5000       # ... and is refused (503 AUDIT_UNAVAILABLE) if none is made in time
 */
import { z } from 'zod';
import type { Logger } from '../logger';
import { AuditLog, type AuditLogOptions, type AuditSink } from './AuditLog';
import { JsonLinesSink } from './JsonLinesSink';

export const DEFAULT_AUDIT_FILE = '.data/audit/audit.jsonl';

export const AuditConfigSchema = z
  .object({
    sink: z.enum(['file', 'postgres']).default('file'),
    /** The JSON-lines file (relative to the working directory); its directory is created. */
    file: z.string().min(1).default(DEFAULT_AUDIT_FILE),
    postgresUrl: z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// or postgresql:// URL' }).optional(),
    flushIntervalMs: z.number().int().min(1).max(60_000).default(200),
    maxBatch: z.number().int().min(1).max(10_000).default(500),
    maxBuffered: z.number().int().min(1).default(100_000),
    maxWaitMs: z.number().int().min(0).max(60_000).default(5_000),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.sink === 'postgres' && !config.postgresUrl) {
      ctx.addIssue({ code: 'custom', path: ['postgresUrl'], message: 'required when sink is "postgres"' });
    }
    if (config.maxBuffered < config.maxBatch) {
      ctx.addIssue({ code: 'custom', path: ['maxBuffered'], message: `must be at least maxBatch (${config.maxBatch}), got ${config.maxBuffered}` });
    }
  });

export type AuditConfig = z.infer<typeof AuditConfigSchema>;
export type AuditConfigInput = z.input<typeof AuditConfigSchema>;

export function createAuditSink(config: AuditConfig): AuditSink {
  if (config.sink !== 'postgres') return new JsonLinesSink(config.file);
  // Loaded only for this sink: pg costs a gateway that audits to a file about 4 MB.
  const { PostgresSink } = require('./PostgresSink') as typeof import('./PostgresSink');
  return new PostgresSink(config.postgresUrl!);
}

/** The audit log for a validated `audit` section. Close it on shutdown: close() writes what is buffered. */
export function createAuditLog(config: AuditConfig, logger: Logger, options: Pick<AuditLogOptions, 'onBackpressure'> = {}): AuditLog {
  const sink = createAuditSink(config);
  const auditLogger = logger.child({ component: 'audit' });
  auditLogger.info({ sink: sink.description }, 'audit log ready');
  return new AuditLog(sink, auditLogger, {
    flushIntervalMs: config.flushIntervalMs,
    maxBatch: config.maxBatch,
    maxBuffered: config.maxBuffered,
    maxWaitMs: config.maxWaitMs,
    ...options,
  });
}
