import { DynamicModule, FactoryProvider, Global, Inject, Injectable, Module, ModuleMetadata, OnApplicationShutdown } from '@nestjs/common';
import { createVectorStore, type VectorStoreConfig } from './vector-store.config';
import { VECTOR_STORE, VECTOR_STORE_CONFIG } from './vector-store.constants';
import { VectorStoreReadiness } from './vector-store.readiness';
import type { VectorStore } from './vector-store';

@Injectable()
class VectorStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(VECTOR_STORE) private readonly store: VectorStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

export interface VectorStoreModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => VectorStoreConfig | Promise<VectorStoreConfig>;
  inject?: FactoryProvider['inject'];
}

const storeProviders = [
  { provide: VECTOR_STORE, useFactory: (config: VectorStoreConfig) => createVectorStore(config), inject: [VECTOR_STORE_CONFIG] },
  VectorStoreLifecycle,
  VectorStoreReadiness,
];

/**
 * Global module providing the configured store under {@link VECTOR_STORE} and
 * {@link VectorStoreReadiness} (pass it to `HealthModule.forRoot`); the store is closed on shutdown
 * (enable Nest's shutdown hooks). Import once per app. Global on purpose: it is the process's one
 * connection pool to the store, shared by the service core's readiness check and every feature
 * that reads or writes vectors, like the Prisma pool of `DbModule`.
 */
@Global()
@Module({})
export class VectorStoreModule {
  static forRoot(config: VectorStoreConfig): DynamicModule {
    return {
      module: VectorStoreModule,
      global: true,
      providers: [{ provide: VECTOR_STORE_CONFIG, useValue: config }, ...storeProviders],
      exports: [VECTOR_STORE, VectorStoreReadiness],
    };
  }

  static forRootAsync(options: VectorStoreModuleAsyncOptions): DynamicModule {
    return {
      module: VectorStoreModule,
      global: true,
      imports: options.imports ?? [],
      providers: [{ provide: VECTOR_STORE_CONFIG, useFactory: options.useFactory, inject: options.inject ?? [] }, ...storeProviders],
      exports: [VECTOR_STORE, VectorStoreReadiness],
    };
  }
}
