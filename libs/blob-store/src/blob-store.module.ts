import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { BlobStore } from './blob-store';
import type { BlobStoreOptions } from './blob-store.config';
import { FsBlobStore } from './fs-blob.store';
import { PgBlobStore } from './pg-blob.store';

/** Injection token of the app's {@link BlobStore}. */
export const BLOB_STORE = Symbol('BLOB_STORE');

export function createBlobStore(options: BlobStoreOptions): BlobStore {
  return options.kind === 'postgres' ? new PgBlobStore(options.databaseUrl) : new FsBlobStore(options.dir);
}

@Injectable()
class BlobStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(BLOB_STORE) private readonly store: BlobStore) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.store instanceof PgBlobStore) await this.store.close();
  }
}

/** Provides {@link BLOB_STORE} to the whole app; import once. */
@Module({})
export class BlobStoreModule {
  static forRoot(options: BlobStoreOptions): DynamicModule {
    return {
      module: BlobStoreModule,
      global: true,
      providers: [{ provide: BLOB_STORE, useFactory: () => createBlobStore(options) }, BlobStoreLifecycle],
      exports: [BLOB_STORE],
    };
  }
}
