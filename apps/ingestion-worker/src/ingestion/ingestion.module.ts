import { DynamicModule, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { UsageEventProducer } from '@conduit/budget';
import { createEmbedder, type EmbeddingsConfig } from '@conduit/embeddings';
import { QueueModule, REDIS_CONNECTION } from '@conduit/queue';
import { DocumentProcessorPool } from '../processing/document-processor.pool';
import { WORKER_HANDLERS } from '../worker.handlers';
import { INGEST_EMBEDDER, INGESTION_OPTIONS, IngestionOptions } from './ingestion.constants';
import { IngestionPipeline } from './ingestion.pipeline';

export interface IngestionModuleOptions extends IngestionOptions {
  embeddings: EmbeddingsConfig;
  /** Documents processed at once by this process. */
  concurrency: number;
  /** BullMQ lock duration and stalled-check interval: how soon a dead worker's document is taken over. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/** The pipeline and its embedder, imported by the worker module that runs the handler. */
@Module({})
class IngestionPipelineModule {}

/**
 * The `document.ingest` consumer. Needs the service core (Prisma, Redis), and the global
 * `BlobStoreModule` and `VectorStoreModule`.
 */
@Module({})
export class IngestionModule {
  static register(options: IngestionModuleOptions): DynamicModule {
    const { embeddings, concurrency, lockDurationMs, stalledIntervalMs, ...ingestion } = options;
    const pipeline: DynamicModule = {
      module: IngestionPipelineModule,
      providers: [
        { provide: INGESTION_OPTIONS, useValue: ingestion },
        {
          provide: INGEST_EMBEDDER,
          inject: [REDIS_CONNECTION],
          // Cached in Redis for API embedders (the offline hashing embedder is cheaper than a lookup).
          useFactory: (redis: Redis) => createEmbedder(embeddings, { redis }),
        },
        { provide: DocumentProcessorPool, useFactory: () => new DocumentProcessorPool({ threads: concurrency, memoryMb: ingestion.processingMemoryMb }) },
        // Embedding usage goes to billing like every billable call (`usage.record`).
        UsageEventProducer,
        IngestionPipeline,
      ],
      exports: [IngestionPipeline, INGEST_EMBEDDER],
    };
    return {
      module: IngestionModule,
      imports: [pipeline, QueueModule.forWorker(WORKER_HANDLERS, { concurrency: { ingestion: concurrency }, lockDurationMs, stalledIntervalMs, imports: [pipeline] })],
      exports: [pipeline],
    };
  }
}
