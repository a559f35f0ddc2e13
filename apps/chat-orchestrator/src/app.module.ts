import { DynamicModule, Module } from '@nestjs/common';
import { ServiceCoreModule } from '@conduit/runtime';
import type { OrchestratorConfig } from './config/chat-orchestrator.config';

@Module({})
export class AppModule {
  static register(config: OrchestratorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceCoreModule.forRoot({ service: 'chat-orchestrator', settings: config })],
    };
  }
}
