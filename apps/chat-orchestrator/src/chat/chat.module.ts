import { DynamicModule, Module } from '@nestjs/common';
import { UsageEventProducer } from '@conduit/budget';
import { ConversationStoreModule } from '@conduit/conversations';
import { CHAT_SETTINGS, ChatSettings } from './chat.constants';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ConversationsService } from './conversations.service';

@Module({})
export class ChatModule {
  static register(settings: ChatSettings): DynamicModule {
    return {
      module: ChatModule,
      imports: [ConversationStoreModule],
      controllers: [ChatController],
      providers: [ChatService, ConversationsService, UsageEventProducer, { provide: CHAT_SETTINGS, useValue: settings }],
      // Async jobs run chats through the same service (apps/chat-orchestrator/src/jobs).
      exports: [ChatService],
    };
  }
}
