import { DynamicModule, Module } from '@nestjs/common';
import { ToolsModule } from '@conduit/tools';
import type { ToolsApiOptions } from './tools.constants';
import { McpServersController, ToolAllowListsController, ToolsController } from './tools.controller';
import { ToolsApiService } from './tools-api.service';
import { ToolSecretsResealer } from './tool-secrets.resealer';

/**
 * The tenant-admin API of platform-run tools (issue 22): `/v1/tools` (HTTP tools),
 * `/v1/mcp-servers` (MCP servers, discovery, marking) and `/v1/tool-allow-lists` (per API key).
 * Needs the keyring (`SecretKeyringModule`), which seals the tools' secrets.
 */
@Module({})
export class ToolsApiModule {
  static register(options: ToolsApiOptions): DynamicModule {
    return {
      module: ToolsApiModule,
      imports: [ToolsModule.forRoot(options)],
      controllers: [ToolsController, McpServersController, ToolAllowListsController],
      providers: [ToolsApiService, ToolSecretsResealer],
    };
  }
}
