import { DynamicModule, Module } from '@nestjs/common';
import { LlmBreakerReadiness, LlmConfig, LlmModule } from '@conduit/llm';
import { QueueModule } from '@conduit/queue';
import { VectorStoreModule, VectorStoreReadiness } from '@conduit/vector-store';
import { ServiceCoreModule } from '@conduit/runtime';
import { ChatModule } from './chat/chat.module';
import type { OrchestratorConfig } from './config/chat-orchestrator.config';
import { InternalModule } from './internal/internal.module';
import { JobsModule } from './jobs/jobs.module';
import { ModelsController } from './models/models.controller';
import { SummariesModule } from './summaries/summaries.module';
import { UsageModule } from './usage/usage.module';
import { WORKER_HANDLERS } from './worker.handlers';

@Module({})
export class AppModule {
  static register(config: OrchestratorConfig, llm: LlmConfig): DynamicModule {
    const internal = InternalModule.register(config.chat);
    const usage = UsageModule.register(config.budget, internal);
    const chat = ChatModule.register(internal, usage, { retrieval: { embeddings: config.retrieval.embeddings }, policies: config.policies, memory: config.memory, tools: config.tools });
    const jobs = JobsModule.register(config.jobs, chat);
    const summaries = SummariesModule.register(config.summaries, chat);
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({
          service: 'chat-orchestrator',
          settings: config,
          readinessImports: [VectorStoreModule.forRoot(config.retrieval.vectorStore)],
          // The breaker summary is shown, never fails readiness (see LlmBreakerReadiness).
          readiness: [VectorStoreReadiness, LlmBreakerReadiness],
        }),
        LlmModule.forRoot(llm),
        // INTERNAL_SETTINGS for the guard of ModelsController (the other internal controllers' modules import it too).
        internal,
        usage,
        chat,
        // Async jobs (`job.execute`) run the chat pipeline above. Their webhooks are sent by billing.
        jobs,
        // Session summaries (`session.summarize`): the worker side of memory policy `summaries`/`full`.
        summaries,
        QueueModule.forWorker(WORKER_HANDLERS, {
          imports: [jobs, chat, summaries],
          concurrency: { jobs: config.jobs.concurrency, memory: config.memory.concurrency, summaries: config.summaries.concurrency },
          lockDurationMs: config.jobs.lockDurationMs,
          stalledIntervalMs: config.jobs.stalledIntervalMs,
          maxStalledCount: config.jobs.maxStalledCount,
        }),
      ],
      controllers: [ModelsController],
    };
  }
}
