import { DynamicModule, Module } from '@nestjs/common';
import { SECRET_KEYRING } from '@conduit/webhooks';
import { ToolAllowListStore } from './allow-lists/tool-allow-list.store';
import { HttpToolStore } from './http/http-tool.store';
import { McpServerStore } from './mcp/mcp-server.store';
import { ToolRegistry } from './tool.registry';
import { TOOLS_OPTIONS, ToolsModuleOptions } from './tools.constants';

/**
 * The tool registry ({@link ToolRegistry}, the `ToolCatalog` of the agent loop) and its stores, for
 * an app that already has `DbModule` (via `ServiceCoreModule`). The keyring is `options.keyring`
 * when given (`toolsSettings(env)`), else the app's global `SecretKeyringModule.forRoot` one.
 */
@Module({})
export class ToolsModule {
  static forRoot(options: ToolsModuleOptions): DynamicModule {
    return {
      module: ToolsModule,
      providers: [
        { provide: TOOLS_OPTIONS, useValue: options },
        ...(options.keyring ? [{ provide: SECRET_KEYRING, useValue: options.keyring }] : []),
        HttpToolStore,
        McpServerStore,
        ToolAllowListStore,
        ToolRegistry,
      ],
      exports: [TOOLS_OPTIONS, HttpToolStore, McpServerStore, ToolAllowListStore, ToolRegistry],
    };
  }
}
