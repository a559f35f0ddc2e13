import { DynamicModule, Module } from '@nestjs/common';
import { BlobStoreModule } from '@conduit/blob-store';
import { secretKeyringOf } from '@conduit/config';
import { ServiceCoreModule } from '@conduit/runtime';
import { VectorStoreModule } from '@conduit/vector-store';
import { SecretKeyringModule } from '@conduit/webhooks';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { DocsModule } from './docs/docs.module';
import { DocumentsModule } from './documents/documents.module';
import { EmbeddingsModule } from './embeddings/embeddings.module';
import { EvaluationsModule } from './evaluations/evaluations.module';
import { JobsModule } from './jobs/jobs.module';
import type { GatewayConfig } from './config/api-gateway.config';
import { MemoriesModule } from './memories/memories.module';
import { MessagesModule } from './messages/messages.module';
import { PromptsApiModule } from './prompts/prompts.module';
import { ResponsesModule } from './responses/responses.module';
import { SessionsModule } from './sessions/sessions.module';
import { ToolsApiModule } from './tools/tools.module';
import { UsageModule } from './usage/usage.module';
import { WebhooksApiModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    const usage = UsageModule.register(config.usage.budget, config.usage.settings);
    const chat = ChatModule.register(config.chat, usage);
    const documents = DocumentsModule.register({
      maxUploadBytes: config.documents.maxUploadBytes,
      embedding: { model: config.documents.embeddings.model, dimension: config.documents.embeddings.dimension },
    });
    const memories = MemoriesModule.register({ embeddings: config.documents.embeddings });
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'api-gateway', settings: config }),
        SecretKeyringModule.forRoot(secretKeyringOf(config.secrets)),
        AuthModule,
        SessionsModule,
        MessagesModule,
        EvaluationsModule,
        usage,
        chat,
        ResponsesModule.register(chat),
        EmbeddingsModule.register(config.embeddings, usage),
        DocsModule,
        BlobStoreModule.forRoot(config.documents.blobs),
        VectorStoreModule.forRoot(config.documents.vectorStore),
        documents,
        JobsModule.register(config.jobs, usage),
        WebhooksApiModule.register({ policy: config.jobs.webhookPolicy }),
        PromptsApiModule,
        memories,
        ToolsApiModule.register({ policy: config.jobs.webhookPolicy }),
        AdminModule.register(config.admin, documents, usage, memories),
      ],
    };
  }
}
