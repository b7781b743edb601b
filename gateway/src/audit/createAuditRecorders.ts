/**
 * What each stage's refusal becomes in the audit log: one listener per stage
 * that refuses (authorization's denials, the operation limits, the
 * identifier's rejected credentials, the official-operations rule, the front
 * door's refused routes and bodies), each turning the stage's event into its
 * record.
 *
 * Guarantees: every listener returns what AuditLog.record() returned, so a
 * stage that awaits it waits for room in a full audit buffer (or is told the
 * record was refused) before it answers; a record carries the principal's id,
 * kind and email (never its token or roles), the request's id and client, and
 * the MCP tool when a tool call caused it.
 * Must never: record the operation's text (only its SHA-256), or drop an event.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { DeniedPath } from '../authorization/completeResponse';
import type { MeshContext } from '../context';
import { clientOf, requestIdOf } from '../http/requestContext';
import type { Refusal } from '../http/server';
import type { IdentityError } from '../identity/errors';
import type { Principal } from '../identity/principal';
import type { NotOfficialRefusal } from '../operations/operationRequests';
import type { AuditLog, AuditRecord } from './AuditLog';

const hashOf = (source: string | undefined) => (source ? createHash('sha256').update(source).digest('hex') : null);

const principalOf = (principal: Principal): AuditRecord['principal'] => ({ id: principal.id, kind: principal.kind, email: principal.email });

const ANONYMOUS: AuditRecord['principal'] = { id: 'unknown', kind: 'anonymous' };

export function createAuditRecorders(audit: AuditLog) {
  return {
    /** Authorization (useAuthorization's onDenial): a field the policy denied, or a pattern of them. */
    denial: (denial: DeniedPath, requestContext: GatewayGraphQLRequestContext<MeshContext>) => {
      const { principal, requestId, client, tool } = requestContext.context;
      return audit.record({
        kind: 'denial',
        principal: principalOf(principal),
        operationName: requestContext.operationName ?? null,
        operationHash: hashOf(requestContext.source),
        path: denial.path,
        ...(denial.count !== undefined && { count: denial.count, pathPattern: denial.pathPattern, paths: denial.paths }),
        rule: denial.rule,
        reason: denial.reason,
        client,
        requestId,
        ...(tool && { tool }),
      });
    },

    /** The operation limits (useOperationLimits' onRejected): the rule is the limit exceeded. */
    limitExceeded: ({ limit, message }: { limit: string; message: string }, { contextValue, operationName, source }: { contextValue: MeshContext; operationName?: string | null; source?: string }) => {
      const { principal, requestId, client, tool } = contextValue;
      return audit.record({
        kind: 'limit-exceeded',
        principal: principalOf(principal),
        operationName: operationName ?? null,
        operationHash: hashOf(source),
        path: null,
        rule: limit,
        reason: message,
        client,
        requestId,
        ...(tool && { tool }),
      });
    },

    /** Identification: a bad token or API key, on any route that identifies. */
    rejectedCredentials: (error: IdentityError, req: IncomingMessage) =>
      audit.record({
        kind: 'rejected-credentials',
        principal: ANONYMOUS,
        operationName: null,
        operationHash: null,
        path: null,
        rule: null,
        reason: error.message,
        client: clientOf(req),
        requestId: requestIdOf(req),
        route: `${req.method} ${new URL(req.url ?? '/', 'http://localhost').pathname}`,
      }),

    /** Official operations (createOperationRequests' onNotOfficial): an ad-hoc query from an official-only role. */
    notOfficial: ({ context: { principal, requestId, client, tool }, operationName, operationHash, reason }: NotOfficialRefusal) =>
      audit.record({
        kind: 'operation-not-official',
        principal: principalOf(principal),
        operationName,
        operationHash,
        path: null,
        rule: 'official operations only',
        reason,
        client,
        requestId,
        ...(tool && { tool }),
      }),

    /** The front door: a refused operator route (403; 401 without credentials) or a body over the limit (413). */
    refused: ({ req, route, error, context, kind, rule }: Refusal) =>
      audit.record({
        kind,
        principal: context ? principalOf(context.principal) : ANONYMOUS,
        operationName: null,
        operationHash: null,
        path: null,
        rule,
        reason: error.message,
        client: clientOf(req),
        requestId: requestIdOf(req),
        route,
      }),
  };
}

export type AuditRecorders = ReturnType<typeof createAuditRecorders>;
