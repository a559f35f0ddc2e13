import { DynamicModule, Module } from '@nestjs/common';
import type { EmbeddingsConfig } from '@conduit/embeddings';
import { MemoryModule } from '@conduit/memory';
import { PoliciesModule } from '@conduit/policies';
import { MemoriesController } from './memories.controller';
import { MemoriesService } from './memories.service';

/**
 * `/v1/memories`. Exports the memory lib's module so user erasure (admin) removes the user's
 * memories and vectors. Needs the global `VectorStoreModule`.
 */
@Module({})
export class MemoriesModule {
  static register(options: { embeddings: EmbeddingsConfig }): DynamicModule {
    const memory = MemoryModule.forRoot({ embeddings: options.embeddings });
    return {
      module: MemoriesModule,
      imports: [memory, PoliciesModule.forRoot({ cacheTtlMs: 60_000 })],
      controllers: [MemoriesController],
      providers: [MemoriesService],
      exports: [memory],
    };
  }
}
