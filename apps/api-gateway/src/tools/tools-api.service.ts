import { Inject, Injectable } from '@nestjs/common';
import type { McpServer } from '@conduit/db';
import { assertToolUrlAllowed, discoveredTools, HttpToolStore, McpServerStore, ToolAllowListStore, ToolException, ToolRegistry, TOOLS_OPTIONS, ToolsModuleOptions } from '@conduit/tools';
import { isUuid, ListPage } from '../sessions/list-page';
import {
  CreateMcpServerBody,
  CreateToolBody,
  McpServerObject,
  ToolAllowListObject,
  ToolObject,
  toMcpServerObject,
  toToolObject,
  UpdateMcpServerBody,
  UpdateToolBody,
} from './tools.dto';

const page = <T>(data: T[]): ListPage<T> => ({ object: 'list', data, has_more: false, first_id: null, last_id: null });

/**
 * A tenant admin's tool registry (the controllers check the role): URL checks (SSRF rules of
 * webhooks, DNS included) before anything is stored, the stores, and MCP discovery.
 */
@Injectable()
export class ToolsApiService {
  constructor(
    private readonly tools: HttpToolStore,
    private readonly servers: McpServerStore,
    private readonly allowLists: ToolAllowListStore,
    private readonly registry: ToolRegistry,
    @Inject(TOOLS_OPTIONS) private readonly options: ToolsModuleOptions,
  ) {}

  async createTool(tenantId: string, body: CreateToolBody): Promise<ToolObject> {
    await this.checkUrl(body.url);
    const { tool, secret } = await this.tools.create(tenantId, body);
    return toToolObject(tool, secret);
  }

  async listTools(tenantId: string): Promise<ListPage<ToolObject>> {
    return page((await this.tools.list(tenantId)).map((tool) => toToolObject(tool)));
  }

  async getTool(tenantId: string, id: string): Promise<ToolObject> {
    const tool = isUuid(id) ? await this.tools.get(tenantId, id) : null;
    if (!tool) throw ToolException.toolNotFound(id);
    return toToolObject(tool);
  }

  async updateTool(tenantId: string, id: string, body: UpdateToolBody): Promise<ToolObject> {
    if (!isUuid(id)) throw ToolException.toolNotFound(id);
    if (body.url !== undefined) await this.checkUrl(body.url);
    return toToolObject(await this.tools.update(tenantId, id, body), body.secret);
  }

  async removeTool(tenantId: string, id: string) {
    if (!isUuid(id) || !(await this.tools.remove(tenantId, id))) throw ToolException.toolNotFound(id);
    return { id, object: 'tool.deleted' as const, deleted: true as const };
  }

  /** Registers the server, then discovers its tools; a failed discovery is stored (`discovery_error`), not an error. */
  async createServer(tenantId: string, body: CreateMcpServerBody): Promise<McpServerObject> {
    await this.checkUrl(body.url);
    const { server, secret } = await this.servers.create(tenantId, body);
    let discovered: McpServer = server;
    if (server.enabled) discovered = await this.registry.refresh(tenantId, server.id).catch(async () => (await this.servers.get(tenantId, server.id)) ?? server);
    return toMcpServerObject(discovered, secret);
  }

  async listServers(tenantId: string): Promise<ListPage<McpServerObject>> {
    return page((await this.servers.list(tenantId)).map((server) => toMcpServerObject(server)));
  }

  async getServer(tenantId: string, id: string): Promise<McpServerObject> {
    return toMcpServerObject(await this.server(tenantId, id));
  }

  async updateServer(tenantId: string, id: string, body: UpdateMcpServerBody): Promise<McpServerObject> {
    const before = await this.server(tenantId, id);
    if (body.url !== undefined) await this.checkUrl(body.url);
    if (body.toolDanger !== undefined) {
      const known = new Set(discoveredTools(before).map((tool) => tool.name));
      const unknown = Object.keys(body.toolDanger).find((name) => !known.has(name));
      if (unknown !== undefined) throw ToolException.unknownTool(unknown);
    }
    return toMcpServerObject(await this.servers.update(tenantId, id, body), body.secret);
  }

  async removeServer(tenantId: string, id: string) {
    if (!isUuid(id) || !(await this.servers.remove(tenantId, id))) throw ToolException.serverNotFound(id);
    return { id, object: 'mcp_server.deleted' as const, deleted: true as const };
  }

  async refreshServer(tenantId: string, id: string): Promise<McpServerObject> {
    await this.server(tenantId, id);
    return toMcpServerObject(await this.registry.refresh(tenantId, id));
  }

  async listAllowLists(tenantId: string): Promise<ListPage<ToolAllowListObject>> {
    return page((await this.allowLists.list(tenantId)).map((row) => ({ object: 'tool_allow_list' as const, api_key_id: row.apiKeyId, tools: row.tools })));
  }

  async getAllowList(tenantId: string, apiKeyId: string): Promise<ToolAllowListObject> {
    await this.key(tenantId, apiKeyId);
    return { object: 'tool_allow_list', api_key_id: apiKeyId, tools: await this.allowLists.get(tenantId, apiKeyId) };
  }

  /** Every name must be one of the tenant's tools now (a tool deleted later simply drops out). */
  async setAllowList(tenantId: string, apiKeyId: string, tools: string[]): Promise<ToolAllowListObject> {
    await this.key(tenantId, apiKeyId);
    const { all } = await this.registry.available(tenantId, null);
    const names = new Set(all.map((tool) => tool.name));
    const unknown = tools.find((name) => !names.has(name));
    if (unknown !== undefined) throw ToolException.unknownTool(unknown);
    const row = await this.allowLists.set(tenantId, apiKeyId, tools);
    return { object: 'tool_allow_list', api_key_id: apiKeyId, tools: row.tools };
  }

  async removeAllowList(tenantId: string, apiKeyId: string): Promise<ToolAllowListObject> {
    await this.key(tenantId, apiKeyId);
    await this.allowLists.remove(tenantId, apiKeyId);
    return { object: 'tool_allow_list', api_key_id: apiKeyId, tools: null };
  }

  private async server(tenantId: string, id: string): Promise<McpServer> {
    const server = isUuid(id) ? await this.servers.get(tenantId, id) : null;
    if (!server) throw ToolException.serverNotFound(id);
    return server;
  }

  private async key(tenantId: string, apiKeyId: string): Promise<void> {
    if (!isUuid(apiKeyId) || !(await this.allowLists.keyBelongs(tenantId, apiKeyId))) throw ToolException.apiKeyNotFound(apiKeyId);
  }

  private checkUrl(url: string): Promise<void> {
    return assertToolUrlAllowed(url, this.options.policy, this.options.resolver);
  }
}
