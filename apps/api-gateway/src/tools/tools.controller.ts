import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { TenantAdminGuard } from '../auth/tenant-admin.guard';
import { ToolsApiService } from './tools-api.service';
import {
  CreateMcpServerBody,
  createMcpServerBodySchema,
  CreateToolBody,
  createToolBodySchema,
  emptyBodySchema,
  SetAllowListBody,
  setAllowListBodySchema,
  UpdateMcpServerBody,
  updateMcpServerBodySchema,
  UpdateToolBody,
  updateToolBodySchema,
} from './tools.dto';

/**
 * `/v1/tools`: the tenant's registered HTTP tools. Tenant admins only (403 `tenant_admin_required`
 * for members); another tenant's tool answers 404 `tool_not_found`. Secrets are shown once.
 */
@Controller('v1/tools')
@UseGuards(TenantAdminGuard)
export class ToolsController {
  constructor(private readonly service: ToolsApiService) {}

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(createToolBodySchema)) body: CreateToolBody) {
    return this.service.createTool(principal.tenantId, body);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal) {
    return this.service.listTools(principal.tenantId);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.service.getTool(principal.tenantId, id);
  }

  @Patch(':id')
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(new ZodPipe(updateToolBodySchema)) body: UpdateToolBody) {
    return this.service.updateTool(principal.tenantId, id, body);
  }

  @Delete(':id')
  remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.service.removeTool(principal.tenantId, id);
  }
}

/** `/v1/mcp-servers`: the tenant's MCP servers, their discovered tools and the marking of those tools. Tenant admins only. */
@Controller('v1/mcp-servers')
@UseGuards(TenantAdminGuard)
export class McpServersController {
  constructor(private readonly service: ToolsApiService) {}

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(createMcpServerBodySchema)) body: CreateMcpServerBody) {
    return this.service.createServer(principal.tenantId, body);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal) {
    return this.service.listServers(principal.tenantId);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.service.getServer(principal.tenantId, id);
  }

  @Patch(':id')
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(new ZodPipe(updateMcpServerBodySchema)) body: UpdateMcpServerBody) {
    return this.service.updateServer(principal.tenantId, id, body);
  }

  @Delete(':id')
  remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.service.removeServer(principal.tenantId, id);
  }

  /** Lists the server's tools again (the cache the runs use); 422 `mcp_discovery_failed` keeps the last good list. */
  @Post(':id/refresh')
  @HttpCode(200)
  refresh(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(new ZodPipe(emptyBodySchema)) _body: unknown) {
    return this.service.refreshServer(principal.tenantId, id);
  }
}

/** `/v1/tool-allow-lists`: which tools one API key of the tenant may use (no list: all of them). Tenant admins only. */
@Controller('v1/tool-allow-lists')
@UseGuards(TenantAdminGuard)
export class ToolAllowListsController {
  constructor(private readonly service: ToolsApiService) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal) {
    return this.service.listAllowLists(principal.tenantId);
  }

  @Get(':api_key_id')
  get(@CurrentPrincipal() principal: Principal, @Param('api_key_id') apiKeyId: string) {
    return this.service.getAllowList(principal.tenantId, apiKeyId);
  }

  @Put(':api_key_id')
  set(@CurrentPrincipal() principal: Principal, @Param('api_key_id') apiKeyId: string, @Body(new ZodPipe(setAllowListBodySchema)) body: SetAllowListBody) {
    return this.service.setAllowList(principal.tenantId, apiKeyId, body.tools);
  }

  @Delete(':api_key_id')
  remove(@CurrentPrincipal() principal: Principal, @Param('api_key_id') apiKeyId: string) {
    return this.service.removeAllowList(principal.tenantId, apiKeyId);
  }
}
