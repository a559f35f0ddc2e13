import { DynamicModule, Module } from '@nestjs/common';
import { RetrievalModule, RetrievalModuleOptions } from '@conduit/retrieval';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ConversationStore } from './conversation.store';

/** The chat pipeline and its HTTP endpoint. `internal` and `usage` are the app's InternalModule and UsageModule; retrieval is its own. */
@Module({})
export class ChatModule {
  static register(internal: DynamicModule, usage: DynamicModule, retrieval: RetrievalModuleOptions): DynamicModule {
    return {
      module: ChatModule,
      imports: [internal, usage, RetrievalModule.forRoot(retrieval)],
      controllers: [ChatController],
      providers: [ChatService, ConversationStore],
      // Async jobs run chats through the same service (apps/chat-orchestrator/src/jobs).
      exports: [ChatService],
    };
  }
}
