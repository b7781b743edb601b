/**
 * Turns an operation's outcome into an MCP tool result an assistant can act
 * on and explain: the data, each denied field (path, rule, reason) with a
 * sentence asking the assistant to tell the user, the errors, and a
 * truncation marker when the result was cut to `mcp.maxResultBytes`.
 *
 * Guarantees: the JSON text is within the bound (boundResult.ts); denials and
 * errors are listed up to MAX_LISTED each, with how many more there were;
 * `isError` is set only when the operation produced no data (refused,
 * invalid, over a limit), never for partial data with denials.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { boundResult, type Truncation } from './boundResult';
import type { Denial, OperationOutcome } from './runOperation';

export const MAX_LISTED = 20;

export type ToolAnswer = { result: CallToolResult; outcome: string; truncated?: Truncation };

/** Denials of the same field on many list items, as one entry: the path with `[*]` for list indexes and how many. */
export function groupDenials(denials: Denial[]): Denial[] {
  const groups = new Map<string, Denial>();
  for (const denial of denials) {
    const pattern = denial.path.replace(/\[\d+\]/g, '[*]');
    const key = `${pattern}\u0000${denial.rule}\u0000${denial.reason}`;
    const group = groups.get(key);
    const count = denial.occurrences ?? 1;
    if (!group) groups.set(key, { ...denial, path: pattern, ...(pattern !== denial.path && { occurrences: count }) });
    else group.occurrences = (group.occurrences ?? 1) + count;
  }
  return [...groups.values()];
}

const listed = <T>(items: T[]) => (items.length > MAX_LISTED ? { items: items.slice(0, MAX_LISTED), more: items.length - MAX_LISTED } : { items });

export function text(value: string): CallToolResult['content'][number] {
  return { type: 'text', text: value };
}

/** A result that only says why nothing was done (refused, unknown tool, bad arguments). */
export function refusal(message: string): CallToolResult {
  return { isError: true, content: [text(message)] };
}

export function operationResult(outcome: OperationOutcome, maxBytes: number, paginationArguments: string[] = []): ToolAnswer {
  const grouped = groupDenials(outcome.denied);
  const denied = listed(grouped);
  const errors = listed(outcome.errors);
  const failed = outcome.status >= 400 || ((outcome.data === null || outcome.data === undefined) && outcome.errors.length > 0);
  const payload = {
    data: outcome.data,
    ...(denied.items.length && { denied: denied.items, ...(denied.more && { deniedNotListed: denied.more }) }),
    ...(errors.items.length && { errors: errors.items, ...(errors.more && { errorsNotListed: errors.more }) }),
    ...(outcome.extensions && { extensions: outcome.extensions }),
  };
  // The notes and the JSON share the bound: the JSON gets what the notes leave.
  const notes: string[] = [];
  if (outcome.denied.length) {
    notes.push(
      `Some fields were withheld by meshgate's access policy (null in data). Tell the user which and why:\n` +
        grouped
          .slice(0, MAX_LISTED)
          .map((denial) => `- ${denial.path}${denial.occurrences ? ` (${denial.occurrences} occurrences)` : ''}: ${denial.reason} (rule ${denial.rule})`)
          .join('\n'),
    );
  }
  if (failed) notes.push(`The operation was not run or failed (HTTP ${outcome.status}): ${outcome.errors.map((error) => error.message).join('; ') || 'no data'}`);
  const notesText = notes.join('\n\n');
  const bounded = boundResult(payload, Math.max(512, maxBytes - Buffer.byteLength(notesText)), paginationArguments);
  const content = [...(notesText ? [text(notesText)] : []), text(bounded.text)];
  const outcomeText = failed
    ? `failed (HTTP ${outcome.status}): ${outcome.errors[0]?.code ?? ''} ${outcome.errors[0]?.message ?? ''}`.trim()
    : `answered${outcome.denied.length ? `; ${outcome.denied.length} denied (${[...new Set(outcome.denied.map((denial) => denial.rule))].join(', ')})` : ''}${bounded.truncated ? '; truncated' : ''}`;
  return { result: { content, ...(failed && { isError: true }) }, outcome: outcomeText, ...(bounded.truncated && { truncated: bounded.truncated }) };
}
