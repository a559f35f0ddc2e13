import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, LoggingModule, MetricsController } from '@conduit/observability';
import type { MockLlmServiceConfig } from './config/mock-llm.config';

/** Health and metrics around the mock's wire routes (which live on the Fastify instance itself). */
@Module({})
export class AppModule {
  static register(config: MockLlmServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LoggingModule.forRoot({ service: 'mock-llm', level: config.logLevel }), HealthModule.forRoot([])],
      controllers: [MetricsController],
    };
  }
}
