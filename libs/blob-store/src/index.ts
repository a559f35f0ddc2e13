export { assertBlobKey, BlobNotFoundError, BlobStoreError, InvalidBlobKeyError, MAX_BLOB_KEY_LENGTH } from './blob-store';
export type { BlobStore } from './blob-store';
export { FsBlobStore } from './fs-blob.store';
export { BLOB_STORE, BlobStoreModule, createBlobStore } from './blob-store.module';
export { PgBlobStore } from './pg-blob.store';
export { blobStoreEnv, blobStoreSettings } from './blob-store.config';
export type { BlobStoreOptions } from './blob-store.config';
