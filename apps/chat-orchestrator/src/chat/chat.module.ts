import { DynamicModule, Module } from '@nestjs/common';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ConversationStore } from './conversation.store';

/** The chat pipeline and its HTTP endpoint. `internal` and `usage` are the app's InternalModule and UsageModule. */
@Module({})
export class ChatModule {
  static register(internal: DynamicModule, usage: DynamicModule): DynamicModule {
    return {
      module: ChatModule,
      imports: [internal, usage],
      controllers: [ChatController],
      providers: [ChatService, ConversationStore],
      // Async jobs run chats through the same service (apps/chat-orchestrator/src/jobs).
      exports: [ChatService],
    };
  }
}
