/**
 * The `mcp` section of the gateway config: the assistant endpoint at /mcp.
 * Strict like every section (unknown keys are errors naming the key).
 *
 *   mcp:
 *     enabled: true            # serve /mcp (Streamable HTTP, stateless)
 *     maxResultBytes: 65536    # largest tool result text; bigger answers are cut, with a marker saying what was cut
 */
import { z } from 'zod';

export const McpConfigSchema = z
  .object({
    /** Serve the Model Context Protocol at /mcp: tools for official operations, the catalog and (for sandbox principals) ad-hoc queries. */
    enabled: z.boolean().default(true),
    /**
     * The most bytes (UTF-8) of JSON one tool result may carry. Lists in the answer are cut to their first items until
     * it fits, and the result says which lists were cut, how many items were kept, and the pagination arguments to
     * ask for the rest. 65,536 bytes is about 16,000 tokens: room in an assistant's context for the rest of the talk.
     */
    maxResultBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(65_536),
  })
  .strict();

export type McpConfig = z.infer<typeof McpConfigSchema>;
