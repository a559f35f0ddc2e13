import { DynamicModule, Module } from '@nestjs/common';
import { LlmConfig, LlmModule } from '@conduit/llm';
import { QueueModule } from '@conduit/queue';
import { RetrievalModule } from '@conduit/retrieval';
import { VectorStoreModule, VectorStoreReadiness } from '@conduit/vector-store';
import { ServiceCoreModule } from '@conduit/runtime';
import { ChatModule } from './chat/chat.module';
import type { OrchestratorConfig } from './config/chat-orchestrator.config';
import { JobsModule } from './jobs/jobs.module';
import { ModelsController } from './models/models.controller';
import { UsageModule } from './usage/usage.module';
import { WORKER_HANDLERS } from './worker.handlers';

@Module({})
export class AppModule {
  static register(config: OrchestratorConfig, llm: LlmConfig): DynamicModule {
    const chat = ChatModule.register(config.chat);
    const jobs = JobsModule.register(config.jobs, chat);
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({
          service: 'chat-orchestrator',
          settings: config,
          readinessImports: [VectorStoreModule.forRoot(config.retrieval.vectorStore)],
          readiness: [VectorStoreReadiness],
        }),
        RetrievalModule.forRoot({ embeddings: config.retrieval.embeddings }),
        LlmModule.forRoot(llm),
        UsageModule.register(config.budget, config.chat),
        chat,
        // Async jobs (`job.execute`) run the chat pipeline above. Their webhooks are sent by billing.
        jobs,
        QueueModule.forWorker(WORKER_HANDLERS, {
          imports: [jobs],
          concurrency: { jobs: config.jobs.concurrency },
          lockDurationMs: config.jobs.lockDurationMs,
          stalledIntervalMs: config.jobs.stalledIntervalMs,
          maxStalledCount: config.jobs.maxStalledCount,
        }),
      ],
      controllers: [ModelsController],
    };
  }
}
