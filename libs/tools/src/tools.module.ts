import { DynamicModule, Module } from '@nestjs/common';
import { ToolAllowListStore } from './allow-lists/tool-allow-list.store';
import { HttpToolStore } from './http/http-tool.store';
import { McpServerStore } from './mcp/mcp-server.store';
import { ToolRegistry } from './tool.registry';
import { TOOLS_OPTIONS, ToolsModuleOptions } from './tools.constants';

/**
 * The tool registry ({@link ToolRegistry}, the `ToolCatalog` of the agent loop) and its stores, for
 * an app that already has `DbModule` (via `ServiceCoreModule`) and `SecretKeyringModule.forRoot`.
 */
@Module({})
export class ToolsModule {
  static forRoot(options: ToolsModuleOptions): DynamicModule {
    return {
      module: ToolsModule,
      providers: [{ provide: TOOLS_OPTIONS, useValue: options }, HttpToolStore, McpServerStore, ToolAllowListStore, ToolRegistry],
      exports: [TOOLS_OPTIONS, HttpToolStore, McpServerStore, ToolAllowListStore, ToolRegistry],
    };
  }
}
