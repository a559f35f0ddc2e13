import { DynamicModule, Module } from '@nestjs/common';
import { PoliciesModule } from '@conduit/policies';
import { ChatForwarder } from './chat-forwarder';
import { GATEWAY_CHAT_SETTINGS, GatewayChatSettings } from './chat.constants';
import { ChatController } from './chat.controller';
import { OrchestratorClient } from './orchestrator.client';
import { ToolConfirmationsController } from './tool-confirmations.controller';

@Module({})
export class ChatModule {
  /**
   * `usage` is the app's UsageModule (admission of each call). Exports {@link ChatForwarder}, the
   * chat call every chat-shaped API sends (`POST /v1/responses`).
   */
  static register(settings: GatewayChatSettings, usage: DynamicModule): DynamicModule {
    return {
      module: ChatModule,
      imports: [usage, PoliciesModule.forRoot({ cacheTtlMs: 60_000 })],
      controllers: [ChatController, ToolConfirmationsController],
      providers: [OrchestratorClient, ChatForwarder, { provide: GATEWAY_CHAT_SETTINGS, useValue: settings }],
      exports: [ChatForwarder],
    };
  }
}
