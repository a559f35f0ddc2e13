import { DynamicModule, Module } from '@nestjs/common';
import { BlobStoreModule } from '@conduit/blob-store';
import { ServiceCoreModule } from '@conduit/runtime';
import { VectorStoreModule, VectorStoreReadiness } from '@conduit/vector-store';
import type { IngestionConfig } from './config/ingestion-worker.config';
import { IngestionModule } from './ingestion/ingestion.module';

@Module({})
export class AppModule {
  static register(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({
          service: 'ingestion-worker',
          settings: config,
          readiness: [VectorStoreReadiness],
          readinessImports: [VectorStoreModule.forRoot(config.vectorStore)],
        }),
        BlobStoreModule.forRoot(config.blobs),
        IngestionModule.register({ ...config.ingestion, embeddings: config.embeddings }),
      ],
    };
  }
}
