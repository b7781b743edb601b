/** An MCP client (the SDK's own, over Streamable HTTP) connected to a test mesh's /mcp with the given headers. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { TestMesh } from './harness';

export const mcpUrl = (mesh: Pick<TestMesh, 'gateway'>) => new URL('/mcp', mesh.gateway.url);

export async function connectMcp(mesh: Pick<TestMesh, 'gateway'>, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'meshgate-tests', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(mesh), { requestInit: { headers } }));
  return client;
}

/** The JSON text of a tool result (its last text content). */
export function resultJson(result: unknown): any {
  const texts = ((result as { content: unknown }).content as { type: string; text: string }[]).filter((item) => item.type === 'text');
  return JSON.parse(texts[texts.length - 1].text);
}

/** The plain-language notes of a tool result (every text content but the JSON). */
export function resultNotes(result: unknown): string {
  const texts = ((result as { content: unknown }).content as { type: string; text: string }[]).filter((item) => item.type === 'text');
  return texts.slice(0, -1).map((item) => item.text).join('\n');
}
