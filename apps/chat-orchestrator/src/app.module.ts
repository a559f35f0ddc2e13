import { DynamicModule, Module } from '@nestjs/common';
import { LlmConfig, LlmModule } from '@conduit/llm';
import { QueueModule } from '@conduit/queue';
import { VectorStoreModule, VectorStoreReadiness } from '@conduit/vector-store';
import { ServiceCoreModule } from '@conduit/runtime';
import { ChatModule } from './chat/chat.module';
import type { OrchestratorConfig } from './config/chat-orchestrator.config';
import { InternalModule } from './internal/internal.module';
import { JobExecuteHandler } from './jobs/job-execute.handler';
import { JobsModule } from './jobs/jobs.module';
import { ModelsController } from './models/models.controller';
import { UsageModule } from './usage/usage.module';
import { WebhookDeliverHandler } from './webhooks/webhook-deliver.handler';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static register(config: OrchestratorConfig, llm: LlmConfig): DynamicModule {
    const internal = InternalModule.register(config.chat);
    const usage = UsageModule.register(config.budget, internal);
    const chat = ChatModule.register(internal, usage, { embeddings: config.retrieval.embeddings });
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({
          service: 'chat-orchestrator',
          settings: config,
          readinessImports: [VectorStoreModule.forRoot(config.retrieval.vectorStore)],
          readiness: [VectorStoreReadiness],
        }),
        LlmModule.forRoot(llm),
        usage,
        chat,
        // Async jobs (`job.execute`) run the chat pipeline above; webhooks (`webhook.deliver`) are sent from here too.
        JobsModule.register(config.jobs, chat),
        WebhooksModule.register(config.webhooks),
        QueueModule.forWorker([JobExecuteHandler, WebhookDeliverHandler], {
          concurrency: { jobs: config.jobs.concurrency, webhooks: config.webhooks.concurrency },
          lockDurationMs: config.jobs.lockDurationMs,
          stalledIntervalMs: config.jobs.stalledIntervalMs,
          maxStalledCount: config.jobs.maxStalledCount,
        }),
      ],
      controllers: [ModelsController],
    };
  }
}
