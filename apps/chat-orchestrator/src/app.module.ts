import { DynamicModule, Module } from '@nestjs/common';
import { LlmConfig, LlmModule } from '@conduit/llm';
import { ServiceCoreModule } from '@conduit/runtime';
import { ChatModule } from './chat/chat.module';
import type { OrchestratorConfig } from './config/chat-orchestrator.config';
import { ModelsController } from './models/models.controller';

@Module({})
export class AppModule {
  static register(config: OrchestratorConfig, llm: LlmConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'chat-orchestrator', settings: config }),
        LlmModule.forRoot(llm),
        ChatModule.register(config.chat),
      ],
      controllers: [ModelsController],
    };
  }
}
