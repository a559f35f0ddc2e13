export type {
  ChunkPayload,
  ManagedVectorStore,
  VectorHit,
  VectorPoint,
  VectorQuery,
  VectorSpace,
  VectorStore,
} from './vector-store';
export {
  InvalidVectorInputError,
  VectorDimensionError,
  VectorSpaceNotFoundError,
  VectorStoreError,
  VectorTenantConflictError,
} from './vector-store.exception';
export { MAX_DIMENSION, MAX_SPACE_NAME_LENGTH, vectorSpaceFor } from './vector-space';
export { MAX_SEARCH_LIMIT, chunkPointId } from './validation';
export { PgVectorStore } from './pgvector.store';
export type { PgVectorStoreOptions } from './pgvector.store';
export { QdrantVectorStore } from './qdrant.store';
export type { QdrantApi, QdrantVectorStoreOptions } from './qdrant.store';
export {
  createVectorStore,
  vectorStoreConfigFromEnv,
  vectorStoreEnv,
  vectorStoreEnvSchema,
  vectorStoreSettings,
} from './vector-store.config';
export type { PgVectorStoreConfig, QdrantStoreConfig, VectorStoreConfig, VectorStoreEnv } from './vector-store.config';
export { VECTOR_STORE } from './vector-store.constants';
export { VectorStoreReadiness } from './vector-store.readiness';
export { VectorStoreModule } from './vector-store.module';
export type { VectorStoreModuleAsyncOptions } from './vector-store.module';
