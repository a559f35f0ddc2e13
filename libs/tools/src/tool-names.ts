/**
 * Names the model sees. OpenAI function names match `^[a-zA-Z0-9_-]{1,64}$`; Conduit reserves `__`
 * as the separator of MCP tools (`<server>__<tool>`), so an HTTP tool's name never contains it and
 * an MCP server's name has no underscore at all: the two kinds can never collide, and a model-visible
 * name splits back into server and tool unambiguously.
 */
export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
export const MCP_SEPARATOR = '__';
export const HTTP_TOOL_NAME = /^(?!.*__)[a-zA-Z0-9_-]{1,64}$/;
export const MCP_SERVER_NAME = /^[a-zA-Z0-9-]{1,32}$/;

export const HTTP_TOOL_NAME_RULE = 'letters, digits, _ and -, at most 64, without "__" (reserved for MCP tools)';
export const MCP_SERVER_NAME_RULE = 'letters, digits and -, at most 32 (its tools are named <server>__<tool>)';

/** The name the model sees for an MCP server's tool; null when it would not be a valid function name. */
export function mcpToolName(server: string, tool: string): string | null {
  const name = `${server}${MCP_SEPARATOR}${tool}`;
  return FUNCTION_NAME.test(name) ? name : null;
}

/** `<server>__<tool>` → its parts; null for an HTTP tool's name. */
export function splitMcpToolName(name: string): { server: string; tool: string } | null {
  const at = name.indexOf(MCP_SEPARATOR);
  if (at <= 0) return null;
  return { server: name.slice(0, at), tool: name.slice(at + MCP_SEPARATOR.length) };
}
