/**
 * A client for incremental delivery as Apollo Client reads it: POSTs with `Accept: multipart/mixed;
 * deferSpec=20220824, application/json`, then reads the multipart/mixed stream part by part as the bytes
 * arrive over the real HTTP connection, noting when each part arrived (tests prove the first one does not
 * wait for a slow deferred one).
 */
export const DEFER_ACCEPT = 'multipart/mixed;deferSpec=20220824,application/json';

export type ArrivedPart = { at: number; body: any };
export type DeferAnswer = { status: number; headers: Headers; parts: ArrivedPart[]; startedAt: number };

export async function postDeferred(url: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>): Promise<DeferAnswer> {
  const startedAt = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: DEFER_ACCEPT, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const parts: ArrivedPart[] = [];
  if (!/^multipart\/mixed/.test(response.headers.get('content-type') ?? '')) {
    parts.push({ at: Date.now(), body: await response.json() });
    return { status: response.status, headers: response.headers, parts, startedAt };
  }
  const boundary = /boundary="?([^";]+)"?/.exec(response.headers.get('content-type')!)![1];
  const delimiter = `\r\n--${boundary}`;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    // A part is its headers, an empty line and its JSON body, up to the next delimiter (JSON holds no raw line break).
    for (;;) {
      const bodyStart = buffer.indexOf('\r\n\r\n');
      const end = bodyStart === -1 ? -1 : buffer.indexOf(delimiter, bodyStart);
      if (end === -1) break;
      parts.push({ at: Date.now(), body: JSON.parse(buffer.slice(bodyStart + 4, end)) });
      buffer = buffer.slice(end + delimiter.length);
      if (buffer.startsWith('--')) return { status: response.status, headers: response.headers, parts, startedAt };
    }
  }
  throw new Error(`the multipart stream ended without its closing delimiter after ${parts.length} parts`);
}
