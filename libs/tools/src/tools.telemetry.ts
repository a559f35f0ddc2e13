/**
 * GenAI semantic-convention attributes of the `execute_tool {name}` span (kept here until
 * `@conduit/observability`'s `GEN_AI` list names them).
 */
export const EXECUTE_TOOL = {
  operation: 'execute_tool',
  attributes: {
    operation: 'gen_ai.operation.name',
    toolName: 'gen_ai.tool.name',
    toolCallId: 'gen_ai.tool.call.id',
    /** `function` for HTTP tools, `extension` for MCP tools (the conventions' values). */
    toolType: 'gen_ai.tool.type',
    toolDescription: 'gen_ai.tool.description',
    errorType: 'error.type',
    /** Conduit's own: where the tool lives (`http`, `mcp`) and whether its result was cut. */
    toolSource: 'conduit.tool.source',
    truncated: 'conduit.tool.result_truncated',
  },
} as const;

export const executeToolSpanName = (toolName: string): string => `${EXECUTE_TOOL.operation} ${toolName}`;
