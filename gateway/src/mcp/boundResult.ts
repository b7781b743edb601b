/**
 * Keeps a tool result within `mcp.maxResultBytes`: the JSON text an assistant
 * reads must fit its context, whatever the operation returned.
 *
 * How: when the answer is too big, every list in `data` is cut to the same
 * number of first items, the largest number that fits (a binary search over
 * it, each step one serialization), and the result carries a `truncated`
 * marker: the bound, the size before, each list cut (path with `*` for list
 * indexes, items kept, most items there were) and the operation's pagination
 * arguments to ask for the rest with. Lists are cut, never objects or
 * strings, so what is kept is still well-formed data with every field the
 * operation selected. When even empty lists do not fit, `data` is dropped and
 * the marker says to select fewer fields.
 *
 * Must never: return more than `maxBytes` bytes of text, or cut without a marker.
 */
export type ListCut = { path: string; kept: number; total: number };

export type Truncation = {
  maxBytes: number;
  originalBytes: number;
  lists: ListCut[];
  /** The operation's variables that page through lists (first, after, ...). */
  paginationArguments: string[];
  note: string;
};

export type Bounded = { text: string; bytes: number; truncated?: Truncation };

const PAGINATION = /^(first|last|after|before|limit|offset|page|pageSize|cursor)$/i;

/** The variables of an operation that page through lists, by the names GraphQL APIs use for them. */
export const paginationArgumentsOf = (variableNames: readonly string[]) => variableNames.filter((name) => PAGINATION.test(name));

const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');

function longestList(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((longest: number, item) => Math.max(longest, longestList(item)), value.length);
  if (value && typeof value === 'object') return Object.values(value).reduce((longest: number, item) => Math.max(longest, longestList(item)), 0);
  return 0;
}

/** `value` with every list cut to its first `keep` items; the cuts, by path pattern, go to `cuts`. */
function cutLists(value: unknown, keep: number, path: string[], cuts: Map<string, ListCut>): unknown {
  if (Array.isArray(value)) {
    if (value.length > keep) {
      const pattern = path.join('.') || '(root)';
      const cut = cuts.get(pattern);
      cuts.set(pattern, { path: pattern, kept: keep, total: Math.max(cut?.total ?? 0, value.length) });
    }
    return value.slice(0, keep).map((item) => cutLists(item, keep, [...path, '*'], cuts));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutLists(item, keep, [...path, key], cuts)]));
  }
  return value;
}

/**
 * The result's JSON text within `maxBytes`. `result.data` is what may be cut; the other keys (denials, errors)
 * are kept whole, so the caller bounds them itself (a few entries each).
 */
export function boundResult(result: { data?: unknown } & Record<string, unknown>, maxBytes: number, paginationArguments: string[] = []): Bounded {
  const text = JSON.stringify(result);
  const originalBytes = bytesOf(text);
  if (originalBytes <= maxBytes) return { text, bytes: originalBytes };
  const attempt = (keep: number): Bounded => {
    const cuts = new Map<string, ListCut>();
    const data = cutLists(result.data, keep, [], cuts);
    const truncated: Truncation = {
      maxBytes,
      originalBytes,
      lists: [...cuts.values()].slice(0, 20),
      paginationArguments,
      note:
        `The answer (${originalBytes} bytes) was over the ${maxBytes}-byte bound: every list was cut to its first ${keep} item${keep === 1 ? '' : 's'}. ` +
        (paginationArguments.length ? `Ask for fewer items per page with ${paginationArguments.join(', ')} and follow the cursors for the rest.` : 'Ask for fewer items or fewer fields.'),
    };
    const candidate = JSON.stringify({ ...result, data, truncated });
    return { text: candidate, bytes: bytesOf(candidate), truncated };
  };
  let low = 0;
  let high = longestList(result.data) - 1;
  let best: Bounded | undefined;
  while (low <= high) {
    const keep = Math.floor((low + high) / 2);
    const candidate = attempt(keep);
    if (candidate.bytes <= maxBytes) {
      best = candidate;
      low = keep + 1;
    } else high = keep - 1;
  }
  if (best) return best;
  const truncated: Truncation = { maxBytes, originalBytes, lists: [], paginationArguments, note: `The answer (${originalBytes} bytes) does not fit the ${maxBytes}-byte bound even with every list emptied: select fewer fields.` };
  const { data: _dropped, ...rest } = result;
  let fallback = JSON.stringify({ ...rest, data: null, truncated });
  // Denials and errors are already few; if they alone are too big, keep the marker only.
  if (bytesOf(fallback) > maxBytes) fallback = JSON.stringify({ data: null, truncated });
  return { text: fallback, bytes: bytesOf(fallback), truncated };
}
