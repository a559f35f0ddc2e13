/**
 * Platform-run tools (issue 22): what the agent loop in the chat orchestrator needs from the tool
 * registry. The registry (HTTP tools, MCP servers, their stores, the outbound calls) implements
 * these; the loop depends only on them.
 */

/** `safe` tools run as soon as the model calls them; `dangerous` ones wait for the user's confirmation. */
export type ToolDanger = 'safe' | 'dangerous';

/** One tool the model may call in a run: a registered HTTP tool, or a tool discovered on an MCP server. */
export interface ResolvedTool {
  /** Registry id (HTTP tool id, or `<mcp server id>:<tool name>`). */
  id: string;
  /** The name the model sees (unique within a run). */
  name: string;
  description: string;
  /** JSON schema of the arguments. */
  parameters: Record<string, unknown>;
  danger: ToolDanger;
  source: 'http' | 'mcp';
  /** Per-call timeout. */
  timeoutMs: number;
}

/** How a tool call ended. A failed call is told to the model as the tool's result; it never fails the run. */
export type ToolOutcome =
  | { ok: true; content: string; truncated: boolean; durationMs: number }
  | {
      ok: false;
      error: 'timeout' | 'refused' | 'http_error' | 'invalid_arguments' | 'cancelled' | 'unavailable';
      message: string;
      durationMs: number;
    };

export interface ToolCallOptions {
  signal: AbortSignal;
  maxResultBytes: number;
  /** The model's tool call id: sent to the tool (HTTP body `call_id`) and set as `gen_ai.tool.call.id` on the span. */
  callId?: string;
}

/** The tenant's tools, as a run sees them. */
export interface ToolCatalog {
  /**
   * The tools a request may use: `selection` is `conduit.tools` (names, or `'all'`), narrowed to
   * what the API key is allowed. Unknown names are an error (`unknown_tool`) for the caller to
   * answer as 400.
   */
  resolve(tenantId: string, apiKeyId: string | null, selection: readonly string[] | 'all'): Promise<ResolvedTool[]>;
  /** Runs one call (SSRF-guarded, signed, under the tool's timeout and the result cap). */
  call(tenantId: string, tool: ResolvedTool, args: unknown, options: ToolCallOptions): Promise<ToolOutcome>;
}
