import { DynamicModule, Module } from '@nestjs/common';
import { RetrievalModule, RetrievalModuleOptions } from '@conduit/retrieval';
import { CHAT_SETTINGS, ChatSettings } from './chat.constants';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ConversationStore } from './conversation.store';

@Module({})
export class ChatModule {
  static register(settings: ChatSettings, retrieval: RetrievalModuleOptions): DynamicModule {
    return {
      module: ChatModule,
      imports: [RetrievalModule.forRoot(retrieval)],
      controllers: [ChatController],
      providers: [ChatService, ConversationStore, { provide: CHAT_SETTINGS, useValue: settings }],
      // Async jobs run chats through the same service (apps/chat-orchestrator/src/jobs).
      exports: [ChatService],
    };
  }
}
