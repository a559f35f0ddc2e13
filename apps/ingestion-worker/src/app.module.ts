import { DynamicModule, Module } from '@nestjs/common';
import { ServiceCoreModule } from '@conduit/runtime';
import type { IngestionConfig } from './config/ingestion-worker.config';

@Module({})
export class AppModule {
  static register(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceCoreModule.forRoot({ service: 'ingestion-worker', settings: config })],
    };
  }
}
