import { DynamicModule, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PrismaService } from '@conduit/db';
import { createEmbedder, type Embedder, type EmbeddingsConfig } from '@conduit/embeddings';
import { REDIS_CONNECTION } from '@conduit/queue';
import { VECTOR_STORE, type VectorStore } from '@conduit/vector-store';
import { RETRIEVAL_EMBEDDER } from './retrieval.constants';
import { Retriever } from './retriever';

export interface RetrievalModuleOptions {
  /** The embedder queries are embedded with; must be the ingestion worker's (same model and dimension). */
  embeddings: EmbeddingsConfig;
}

/**
 * Provides {@link Retriever} to the module that imports it (a feature module, not global: the chat
 * module imports it). Needs the global `DbModule` (Prisma) and `VectorStoreModule`; uses the
 * global Redis connection (`QueueModule.forRoot`, part of the service core) for the embedding
 * cache when there is one.
 */
@Module({})
export class RetrievalModule {
  static forRoot(options: RetrievalModuleOptions): DynamicModule {
    return {
      module: RetrievalModule,
      providers: [
        {
          provide: RETRIEVAL_EMBEDDER,
          inject: [{ token: REDIS_CONNECTION, optional: true }],
          useFactory: (redis?: Redis): Embedder => createEmbedder(options.embeddings, redis ? { redis } : {}),
        },
        {
          provide: Retriever,
          inject: [PrismaService, VECTOR_STORE, RETRIEVAL_EMBEDDER],
          useFactory: (prisma: PrismaService, vectors: VectorStore, embedder: Embedder) => new Retriever(prisma, vectors, embedder),
        },
      ],
      exports: [Retriever, RETRIEVAL_EMBEDDER],
    };
  }
}
