/** The assistant endpoint (/mcp): what the rest of the gateway imports. */
export { createMcpEndpoint, type McpOptions, type McpRuntime } from './createMcpEndpoint';
export { MCP_PATH } from './mcpRoute';
