import { DynamicModule, Module } from '@nestjs/common';
import { PoliciesModule } from '@conduit/policies';
import { GATEWAY_CHAT_SETTINGS, GatewayChatSettings } from './chat.constants';
import { ChatController } from './chat.controller';
import { OrchestratorClient } from './orchestrator.client';
import { ToolConfirmationsController } from './tool-confirmations.controller';

@Module({})
export class ChatModule {
  /** `usage` is the app's UsageModule (admission of each call). */
  static register(settings: GatewayChatSettings, usage: DynamicModule): DynamicModule {
    return {
      module: ChatModule,
      imports: [usage, PoliciesModule.forRoot({ cacheTtlMs: 60_000 })],
      controllers: [ChatController, ToolConfirmationsController],
      providers: [OrchestratorClient, { provide: GATEWAY_CHAT_SETTINGS, useValue: settings }],
    };
  }
}
