/** The audit log (issue #3): what the rest of the gateway imports. */
export { AuditLog, type AuditEntry, type AuditLogOptions, type AuditRecord, type AuditSink } from './AuditLog';
export { JsonLinesSink } from './JsonLinesSink';
export { AUDIT_TABLE, PostgresSink } from './PostgresSink';
export { AuditConfigSchema, createAuditLog, createAuditSink, DEFAULT_AUDIT_FILE, type AuditConfig, type AuditConfigInput } from './createAuditLog';
