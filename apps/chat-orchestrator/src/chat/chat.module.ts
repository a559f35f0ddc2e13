import { DynamicModule, Module } from '@nestjs/common';
import { UsageEventProducer } from '@conduit/budget';
import { ConversationStoreModule } from '@conduit/conversations';
import { EvalTurnProducer } from '@conduit/evaluation';
import { MemoryModule } from '@conduit/memory';
import { PoliciesModule, PoliciesModuleOptions } from '@conduit/policies';
import { PromptsModule } from '@conduit/prompts';
import { RetrievalModule, RetrievalModuleOptions } from '@conduit/retrieval';
import { MEMORY_SETTINGS, type MemorySettings } from '../memory/memory.constants';
import { MemoryExtractor } from '../memory/memory-extractor';
import { ChatPipeline } from '../pipeline/chat-pipeline';
import { pipelineStageProviders } from '../pipeline/pipeline.stages';
import { ChatController } from './chat.controller';
import { ConversationsService } from './conversations.service';

/**
 * The chat pipeline (`src/pipeline`) and its HTTP endpoint. `internal` and `usage` are the app's
 * InternalModule and UsageModule; retrieval, tenant policies and prompt templates are its own
 * (templates' cached labels share the policies' safety-net TTL, `POLICY_CACHE_TTL_MS`).
 */
@Module({})
export class ChatModule {
  static register(internal: DynamicModule, usage: DynamicModule, options: { retrieval: RetrievalModuleOptions; policies: PoliciesModuleOptions; memory: MemorySettings }): DynamicModule {
    return {
      module: ChatModule,
      imports: [internal, usage, RetrievalModule.forRoot(options.retrieval), ConversationStoreModule, PoliciesModule.forRoot(options.policies), PromptsModule.forRoot({ cacheTtlMs: options.policies.cacheTtlMs }), MemoryModule.forRoot({ embeddings: options.retrieval.embeddings })],
      controllers: [ChatController],
      providers: [ConversationsService, UsageEventProducer, EvalTurnProducer, ...pipelineStageProviders, ChatPipeline, { provide: MEMORY_SETTINGS, useValue: options.memory }, MemoryExtractor],
      // Async jobs run chats through the same pipeline (apps/chat-orchestrator/src/jobs); the worker runs memory extraction.
      exports: [ChatPipeline, MemoryExtractor],
    };
  }
}
