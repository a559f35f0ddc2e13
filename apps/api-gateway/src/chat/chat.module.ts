import { DynamicModule, Module } from '@nestjs/common';
import { GATEWAY_CHAT_SETTINGS, GatewayChatSettings } from './chat.constants';
import { ChatController } from './chat.controller';
import { OrchestratorClient } from './orchestrator.client';

@Module({})
export class ChatModule {
  static register(settings: GatewayChatSettings): DynamicModule {
    return {
      module: ChatModule,
      controllers: [ChatController],
      providers: [OrchestratorClient, { provide: GATEWAY_CHAT_SETTINGS, useValue: settings }],
    };
  }
}
