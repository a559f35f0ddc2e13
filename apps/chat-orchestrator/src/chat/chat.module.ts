import { DynamicModule, Module } from '@nestjs/common';
import { UsageEventProducer } from '@conduit/budget';
import { ConversationStoreModule, SessionSummaryProducer } from '@conduit/conversations';
import { EvalTurnProducer } from '@conduit/evaluation';
import { JobStoreModule } from '@conduit/jobs';
import { MemoryModule } from '@conduit/memory';
import { PoliciesModule, PoliciesModuleOptions } from '@conduit/policies';
import { PromptsModule } from '@conduit/prompts';
import { RetrievalModule, RetrievalModuleOptions } from '@conduit/retrieval';
import { ToolConfirmationStoreModule, ToolsModule, ToolsModuleOptions } from '@conduit/tools';
import { MEMORY_SETTINGS, type MemorySettings } from '../memory/memory.constants';
import { MemoryExtractor } from '../memory/memory-extractor';
import { ChatPipeline } from '../pipeline/chat-pipeline';
import { pipelineStageProviders } from '../pipeline/pipeline.stages';
import { ChatController } from './chat.controller';
import { ChatResponder } from './chat-responder';
import { ToolConfirmationsController } from './tool-confirmations.controller';
import { ConversationsService } from './conversations.service';

/**
 * The chat pipeline (`src/pipeline`) and its HTTP endpoint. `internal` and `usage` are the app's
 * InternalModule and UsageModule; retrieval, tenant policies and prompt templates are its own
 * (templates' cached labels share the policies' safety-net TTL, `POLICY_CACHE_TTL_MS`).
 */
@Module({})
export class ChatModule {
  static register(internal: DynamicModule, usage: DynamicModule, options: { retrieval: RetrievalModuleOptions; policies: PoliciesModuleOptions; memory: MemorySettings; tools: ToolsModuleOptions }): DynamicModule {
    const policies = PoliciesModule.forRoot(options.policies);
    return {
      module: ChatModule,
      imports: [internal, usage, RetrievalModule.forRoot(options.retrieval), ConversationStoreModule, policies, PromptsModule.forRoot({ cacheTtlMs: options.policies.cacheTtlMs }), MemoryModule.forRoot({ embeddings: options.retrieval.embeddings }), ToolConfirmationStoreModule, ToolsModule.forRoot(options.tools), JobStoreModule],
      controllers: [ChatController, ToolConfirmationsController],
      providers: [ConversationsService, UsageEventProducer, EvalTurnProducer, SessionSummaryProducer, ...pipelineStageProviders, ChatPipeline, ChatResponder, { provide: MEMORY_SETTINGS, useValue: options.memory }, MemoryExtractor],
      // Async jobs run chats through the same pipeline (apps/chat-orchestrator/src/jobs); the worker runs
      // memory extraction, and the session summary job (apps/chat-orchestrator/src/summaries) shares the
      // policies, conversation stores and usage producer.
      exports: [ChatPipeline, MemoryExtractor, policies, ConversationStoreModule, UsageEventProducer],
    };
  }
}
