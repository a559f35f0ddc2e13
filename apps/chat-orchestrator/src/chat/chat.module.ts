import { DynamicModule, Module } from '@nestjs/common';
import { UsageEventProducer } from '@conduit/budget';
import { ConversationStoreModule } from '@conduit/conversations';
import { RetrievalModule, RetrievalModuleOptions } from '@conduit/retrieval';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ConversationsService } from './conversations.service';

/** The chat pipeline and its HTTP endpoint. `internal` and `usage` are the app's InternalModule and UsageModule; retrieval is its own. */
@Module({})
export class ChatModule {
  static register(internal: DynamicModule, usage: DynamicModule, retrieval: RetrievalModuleOptions): DynamicModule {
    return {
      module: ChatModule,
      imports: [internal, usage, RetrievalModule.forRoot(retrieval), ConversationStoreModule],
      controllers: [ChatController],
      providers: [ChatService, ConversationsService, UsageEventProducer],
      // Async jobs run chats through the same service (apps/chat-orchestrator/src/jobs).
      exports: [ChatService],
    };
  }
}
