/**
 * The PostgreSQL audit sink: table `meshgate_audit.records`, created on first
 * use if missing (several gateways may start at once: creation runs under an
 * advisory lock). Each batch is one INSERT of all its rows from a single JSON
 * parameter (jsonb_to_recordset, rows in array order), so a batch is stored
 * whole or not at all. Rows are only ever inserted; `id` gives the order they
 * were written in.
 */
import { Pool } from 'pg';
import type { AuditRecord, AuditSink } from './AuditLog';

export const AUDIT_TABLE = 'meshgate_audit.records';

// Any constant works; it only has to be the same for every gateway creating the table.
const CREATE_LOCK = 7_215_104_211;

const CREATE_TABLE = `
  CREATE SCHEMA IF NOT EXISTS meshgate_audit;
  CREATE TABLE IF NOT EXISTS meshgate_audit.records (
    id             bigserial PRIMARY KEY,
    time           timestamptz NOT NULL,
    kind           text NOT NULL,
    principal      jsonb NOT NULL,
    operation_name text,
    operation_hash text,
    path           jsonb,
    rule           text,
    reason         text NOT NULL,
    client         jsonb NOT NULL,
    request_id     text NOT NULL
  );
  -- A denial reported for a whole path pattern: how many paths, the pattern, the first paths (null for one path).
  ALTER TABLE meshgate_audit.records ADD COLUMN IF NOT EXISTS count integer;
  ALTER TABLE meshgate_audit.records ADD COLUMN IF NOT EXISTS path_pattern jsonb;
  ALTER TABLE meshgate_audit.records ADD COLUMN IF NOT EXISTS paths jsonb;
  -- The operator route a route-refused record is about ("POST /cache/invalidate"); null otherwise.
  ALTER TABLE meshgate_audit.records ADD COLUMN IF NOT EXISTS route text;
  -- The MCP tool a record is about (tool-call records, and the denials and limits of a tool's operation); null otherwise.
  ALTER TABLE meshgate_audit.records ADD COLUMN IF NOT EXISTS tool text;
  CREATE INDEX IF NOT EXISTS records_time_idx ON meshgate_audit.records (time);
  CREATE INDEX IF NOT EXISTS records_principal_idx ON meshgate_audit.records ((principal->>'id'), time);`;

const INSERT = `
  INSERT INTO meshgate_audit.records (time, kind, principal, operation_name, operation_hash, path, rule, reason, client, request_id, count, path_pattern, paths, route, tool)
  SELECT time, kind, principal, "operationName", "operationHash", path, rule, reason, client, "requestId", count, "pathPattern", paths, route, tool
    FROM jsonb_to_recordset($1::jsonb) AS r(
      time timestamptz, kind text, principal jsonb, "operationName" text, "operationHash" text,
      path jsonb, rule text, reason text, client jsonb, "requestId" text, count integer, "pathPattern" jsonb, paths jsonb, route text, tool text)`;

export class PostgresSink implements AuditSink {
  readonly description: string;
  private readonly pool: Pool;
  private ready: Promise<void> | undefined;

  constructor(url: string, poolSize = 2) {
    // Never the URL itself: it may carry a password.
    const { host, pathname } = new URL(url);
    this.description = `PostgreSQL ${host}${pathname} ${AUDIT_TABLE}`;
    this.pool = new Pool({ connectionString: url, max: poolSize });
    // A lost idle connection is reported by the next write, which is retried.
    this.pool.on('error', () => undefined);
  }

  async write(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensureTable();
    await this.pool.query(INSERT, [JSON.stringify(records)]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.createTable().catch((error) => {
      this.ready = undefined; // try again with the next batch
      throw error;
    });
    return this.ready;
  }

  private async createTable() {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [CREATE_LOCK]);
      await client.query(CREATE_TABLE);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
