import { DynamicModule, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createEmbedder, type Embedder, type EmbeddingsConfig } from '@conduit/embeddings';
import { REDIS_CONNECTION } from '@conduit/queue';
import { VECTOR_STORE, type VectorStore } from '@conduit/vector-store';
import { MEMORY_EMBEDDER, MEMORY_VECTORS } from './memory.constants';
import { MemoryStore } from './memory.store';
import { Memories } from './memories';
import { MemoryExtractionProducer } from './memory-extraction.producer';
import { MemoryRecall } from './memory-recall';
import { MemoryVectors } from './memory-vectors';

export interface MemoryModuleOptions {
  /** The embedder memories and recall queries use (the deployment's, as for documents). */
  embeddings: EmbeddingsConfig;
}

/**
 * Long-term memories for the module that imports it: {@link Memories} (rows and vectors),
 * {@link MemoryRecall}, {@link MemoryExtractionProducer}. Needs the global `DbModule`,
 * `VectorStoreModule` and `QueueModule` (whose Redis also caches embeddings).
 */
@Module({})
export class MemoryModule {
  static forRoot(options: MemoryModuleOptions): DynamicModule {
    return {
      module: MemoryModule,
      providers: [
        {
          provide: MEMORY_EMBEDDER,
          inject: [{ token: REDIS_CONNECTION, optional: true }],
          useFactory: (redis?: Redis): Embedder => createEmbedder(options.embeddings, redis ? { redis } : {}),
        },
        { provide: MEMORY_VECTORS, inject: [VECTOR_STORE, MEMORY_EMBEDDER], useFactory: (vectors: VectorStore, embedder: Embedder) => new MemoryVectors(vectors, embedder) },
        MemoryStore,
        Memories,
        MemoryRecall,
        MemoryExtractionProducer,
      ],
      exports: [MemoryStore, Memories, MemoryRecall, MemoryExtractionProducer, MEMORY_VECTORS],
    };
  }
}
