import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { webhookHeaders, WebhookTargetPolicy } from '@conduit/webhooks';
import type { ToolOutcome } from '../tools.types';
import type { ToolSecrets } from '../tool-secrets';
import { callSignal, failureOf } from '../outbound/call-failure';
import { capText, GuardedHttp } from '../outbound/guarded-http';
import { TOOL_USER_AGENT } from '../http/http-tool.caller';
import { toolUrlProblem } from '../outbound/tool-url';
import type { DiscoveredMcpTool } from './mcp-server.store';

const CLIENT_INFO = { name: 'conduit', version: '1.0.0' };
/** Pages of `tools/list` read at discovery, and tools kept. */
const MAX_PAGES = 10;
export const MAX_DISCOVERED_TOOLS = 128;

export class McpCallError extends Error {
  override name = 'McpCallError';
}

interface McpTarget {
  url: string;
  secrets: ToolSecrets;
}

/** Text of an MCP `tools/call` result: its text parts, other parts and structured content as JSON. */
export function mcpResultText(result: Record<string, unknown>): string {
  if (result['content'] === undefined && result['toolResult'] !== undefined) return JSON.stringify(result['toolResult']);
  const parts = Array.isArray(result['content']) ? (result['content'] as { type?: string; text?: unknown }[]) : [];
  if (parts.length === 0 && result['structuredContent'] !== undefined) return JSON.stringify(result['structuredContent']);
  return parts.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : JSON.stringify(part))).join('\n');
}

/**
 * Talks to a tenant's MCP server over Streamable HTTP with the official SDK client. Every HTTP
 * request of the transport goes through the guarded agent (SSRF at connect time) and carries
 * Standard Webhooks signature headers over its body (signed with the server's secret) and the
 * optional bearer token. One short-lived session per discovery or call (initialize, the request,
 * close): nothing is kept between calls.
 */
export class McpToolClient {
  constructor(
    private readonly http: GuardedHttp,
    private readonly policy: WebhookTargetPolicy,
  ) {}

  /** Lists the server's tools (paginated, at most {@link MAX_DISCOVERED_TOOLS}). Throws on any failure. */
  async discover(target: McpTarget, signal: AbortSignal): Promise<DiscoveredMcpTool[]> {
    const refused = toolUrlProblem(target.url, this.policy);
    if (refused) throw new McpCallError(refused);
    const client = await this.connect(target, signal);
    try {
      const tools: DiscoveredMcpTool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES && tools.length < MAX_DISCOVERED_TOOLS; page += 1) {
        const listed = await client.listTools(cursor === undefined ? {} : { cursor }, { signal });
        for (const tool of listed.tools) {
          tools.push({
            name: tool.name,
            description: tool.description ?? '',
            input_schema: tool.inputSchema as Record<string, unknown>,
            ...(tool.annotations ? { annotations: tool.annotations as Record<string, unknown> } : {}),
          });
        }
        cursor = listed.nextCursor;
        if (!cursor) break;
      }
      return tools.slice(0, MAX_DISCOVERED_TOOLS);
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  /** One `tools/call`. Never throws: every ending is an outcome. A result the server marks `isError` is `http_error` with its text. */
  async call(
    target: McpTarget,
    tool: string,
    args: Record<string, unknown>,
    options: { signal: AbortSignal; timeoutMs: number; maxResultBytes: number },
  ): Promise<ToolOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const refused = toolUrlProblem(target.url, this.policy);
    if (refused) return { ok: false, error: 'refused', message: refused, durationMs: 0 };
    const { signal, timedOut } = callSignal(options.signal, options.timeoutMs);
    let client: Client | undefined;
    try {
      client = await this.connect(target, signal);
      // The SDK's own timeout is a backstop only: the combined signal decides timeout vs cancellation.
      const result = await client.callTool({ name: tool, arguments: args }, undefined, { signal, timeout: options.timeoutMs + 5_000 });
      const bytes = Buffer.from(mcpResultText(result), 'utf8');
      const truncated = bytes.length > options.maxResultBytes;
      const content = truncated ? capText(bytes, options.maxResultBytes) : bytes.toString('utf8');
      if (result.isError) return { ok: false, error: 'http_error', message: `the tool answered an error: ${content}`, durationMs: elapsed() };
      return { ok: true, content, truncated, durationMs: elapsed() };
    } catch (error) {
      return failureOf(error, options.signal, timedOut(), options.timeoutMs, elapsed());
    } finally {
      await client?.close().catch(() => undefined);
    }
  }

  private async connect(target: McpTarget, signal: AbortSignal): Promise<Client> {
    const { signingSecret, authToken } = target.secrets;
    const signedFetch = (url: string | URL, init?: RequestInit): Promise<Response> => {
      const body = typeof init?.body === 'string' ? init.body : '';
      const headers: Record<string, string> = Object.fromEntries(new Headers(init?.headers).entries());
      Object.assign(headers, webhookHeaders({ id: randomUUID(), timestamp: Math.floor(Date.now() / 1000), body }, [signingSecret]));
      headers['user-agent'] = TOOL_USER_AGENT;
      if (authToken) headers['authorization'] = `Bearer ${authToken}`;
      const signals = init?.signal ? [init.signal, signal] : [signal];
      return this.http.fetch(url, { ...init, headers, signal: AbortSignal.any(signals) });
    };
    const transport = new StreamableHTTPClientTransport(new URL(target.url), { fetch: signedFetch, reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1_000, maxReconnectionDelay: 1_000, reconnectionDelayGrowFactor: 1 } });
    const client = new Client(CLIENT_INFO);
    try {
      await client.connect(transport, { signal });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    return client;
  }
}
