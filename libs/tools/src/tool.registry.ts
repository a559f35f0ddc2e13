import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { McpServer, Tool } from '@conduit/db';
import { validateToolArguments } from './arguments.validator';
import { HttpToolStore } from './http/http-tool.store';
import { callHttpTool } from './http/http-tool.caller';
import { McpServerStore, discoveredTools, toolDangerOf } from './mcp/mcp-server.store';
import { McpToolClient } from './mcp/mcp-tool.client';
import { ToolAllowListStore } from './allow-lists/tool-allow-list.store';
import { GuardedHttp } from './outbound/guarded-http';
import { assertToolUrlAllowed } from './outbound/tool-url';
import { ToolException } from './tool.exception';
import { mcpToolName } from './tool-names';
import { EXECUTE_TOOL, executeToolSpanName } from './tools.telemetry';
import { toolCallDuration, toolCallsTotal } from './tools.metrics';
import { TOOLS_OPTIONS, ToolsModuleOptions } from './tools.constants';
import type { ResolvedTool, ToolCallOptions, ToolCatalog, ToolOutcome } from './tools.types';

const MCP_ID_SEPARATOR = ':';
/** Discovery (connect, initialize, list) of one MCP server. */
const DISCOVERY_TIMEOUT_MS = 15_000;

export function httpResolvedTool(tool: Tool): ResolvedTool {
  return {
    id: tool.id,
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters as Record<string, unknown>,
    danger: tool.danger,
    source: 'http',
    timeoutMs: tool.timeoutMs,
  };
}

/** The usable tools of a server's discovery cache (names that are not valid function names are left out). */
export function mcpResolvedTools(server: McpServer): ResolvedTool[] {
  const marks = toolDangerOf(server);
  return discoveredTools(server).flatMap((tool) => {
    const name = mcpToolName(server.name, tool.name);
    if (!name) return [];
    return [
      {
        id: `${server.id}${MCP_ID_SEPARATOR}${tool.name}`,
        name,
        description: tool.description,
        parameters: tool.input_schema,
        danger: marks[tool.name] ?? 'dangerous',
        source: 'mcp' as const,
        timeoutMs: server.timeoutMs,
      },
    ];
  });
}

/**
 * The tenant's tools as a run sees them ({@link ToolCatalog}): registered HTTP tools and the cached
 * tools of its MCP servers, narrowed by the API key's allow-list, and the calls to them — SSRF
 * guarded at connect time, signed (Standard Webhooks) with the tool's secret, under the tool's
 * timeout and the caller's signal, the result cut at `maxResultBytes`, arguments checked against the
 * tool's JSON schema first. Each call is an `execute_tool {name}` span and counts in
 * `conduit_tool_calls_total` / `conduit_tool_call_duration_seconds`.
 */
@Injectable()
export class ToolRegistry implements ToolCatalog, OnModuleDestroy {
  private readonly http: GuardedHttp;
  private readonly mcp: McpToolClient;

  constructor(
    private readonly tools: HttpToolStore,
    private readonly servers: McpServerStore,
    private readonly allowLists: ToolAllowListStore,
    @Inject(TOOLS_OPTIONS) private readonly options: ToolsModuleOptions,
  ) {
    this.http = new GuardedHttp(options.policy, options.resolver, options.connectionsPerOrigin);
    this.mcp = new McpToolClient(this.http, options.policy);
  }

  async onModuleDestroy(): Promise<void> {
    await this.http.close();
  }

  /** Every enabled tool of the tenant the key may use (no allow-list for the key, or no key: all of them). */
  async available(tenantId: string, apiKeyId: string | null): Promise<{ all: ResolvedTool[]; allowed: ResolvedTool[] }> {
    const [http, servers, allowList] = await Promise.all([
      this.tools.listEnabled(tenantId),
      this.servers.listEnabled(tenantId),
      apiKeyId === null ? Promise.resolve(null) : this.allowLists.get(tenantId, apiKeyId),
    ]);
    const all = [...http.map(httpResolvedTool), ...servers.flatMap(mcpResolvedTools)];
    if (allowList === null) return { all, allowed: all };
    const names = new Set(allowList);
    return { all, allowed: all.filter((tool) => names.has(tool.name)) };
  }

  async resolve(tenantId: string, apiKeyId: string | null, selection: readonly string[] | 'all'): Promise<ResolvedTool[]> {
    const { all, allowed } = await this.available(tenantId, apiKeyId);
    if (selection === 'all') return allowed;
    const byName = new Map(all.map((tool) => [tool.name, tool]));
    const allowedNames = new Set(allowed.map((tool) => tool.name));
    return [...new Set(selection)].map((name) => {
      const tool = byName.get(name);
      if (!tool) throw ToolException.unknownTool(name);
      if (!allowedNames.has(name)) throw ToolException.notAllowed(name);
      return tool;
    });
  }

  async call(tenantId: string, tool: ResolvedTool, args: unknown, options: ToolCallOptions): Promise<ToolOutcome> {
    const attributes = EXECUTE_TOOL.attributes;
    return trace.getTracer('@conduit/tools').startActiveSpan(
      executeToolSpanName(tool.name),
      {
        attributes: {
          [attributes.operation]: EXECUTE_TOOL.operation,
          [attributes.toolName]: tool.name,
          [attributes.toolType]: tool.source === 'mcp' ? 'extension' : 'function',
          [attributes.toolSource]: tool.source,
          ...(options.callId ? { [attributes.toolCallId]: options.callId } : {}),
        },
      },
      async (span) => {
        const outcome = await this.execute(tenantId, tool, args, options).catch(
          (error: unknown): ToolOutcome => ({ ok: false, error: 'unavailable', message: `the tool call failed: ${(error as Error).message}`, durationMs: 0 }),
        );
        const label = outcome.ok ? 'ok' : outcome.error;
        toolCallsTotal.inc({ tool_source: tool.source, outcome: label });
        toolCallDuration.observe({ tool_source: tool.source, outcome: label }, outcome.durationMs / 1_000);
        if (outcome.ok) {
          span.setAttribute(attributes.truncated, outcome.truncated);
        } else {
          span.setAttribute(attributes.errorType, outcome.error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
        }
        span.end();
        return outcome;
      },
    );
  }

  /**
   * Lists an MCP server's tools again and stores them (`discovered_at`); on failure the error is
   * stored beside the last good list and `mcp_discovery_failed` is thrown. The URL is checked
   * (DNS included) first.
   */
  async refresh(tenantId: string, serverId: string): Promise<McpServer> {
    const server = await this.servers.get(tenantId, serverId);
    if (!server) throw ToolException.serverNotFound(serverId);
    await assertToolUrlAllowed(server.url, this.options.policy, this.options.resolver);
    let found;
    try {
      found = await this.mcp.discover({ url: server.url, secrets: this.servers.secrets(server) }, AbortSignal.timeout(DISCOVERY_TIMEOUT_MS));
    } catch (error) {
      const message = (error as Error).message || String(error);
      await this.servers.saveDiscovery(tenantId, serverId, { error: message });
      throw ToolException.discoveryFailed(message);
    }
    return this.servers.saveDiscovery(tenantId, serverId, { tools: found });
  }

  private async execute(tenantId: string, tool: ResolvedTool, args: unknown, options: ToolCallOptions): Promise<ToolOutcome> {
    if (options.signal.aborted) return { ok: false, error: 'cancelled', message: 'the tool call was cancelled', durationMs: 0 };
    const checked = validateToolArguments(tool.parameters, args);
    if (!checked.ok) return { ok: false, error: 'invalid_arguments', message: checked.message, durationMs: 0 };
    const call = { arguments: checked.value, signal: options.signal, timeoutMs: tool.timeoutMs, maxResultBytes: options.maxResultBytes, callId: options.callId };
    if (tool.source === 'http') {
      // The row decides (tenant, enabled, URL, secret): a stale or foreign ResolvedTool is not called.
      const row = await this.tools.get(tenantId, tool.id);
      if (!row || !row.enabled) return { ok: false, error: 'unavailable', message: `the tool ${tool.name} is no longer registered or is disabled`, durationMs: 0 };
      return callHttpTool(this.http, this.options.policy, row, this.tools.secrets(row), call);
    }
    const at = tool.id.indexOf(MCP_ID_SEPARATOR);
    const server = at > 0 ? await this.servers.get(tenantId, tool.id.slice(0, at)) : null;
    const toolName = tool.id.slice(at + 1);
    if (!server || !server.enabled || !discoveredTools(server).some((t) => t.name === toolName)) {
      return { ok: false, error: 'unavailable', message: `the tool ${tool.name} is no longer offered by its MCP server`, durationMs: 0 };
    }
    return this.mcp.call({ url: server.url, secrets: this.servers.secrets(server) }, toolName, call.arguments, call);
  }
}
