export type { EmbedOptions, Embedder } from './embedder';
export { EmbeddingUsageTally } from './embedding-usage';
export type { EmbeddingUsage } from './embedding-usage';
export { EmbeddingError } from './embedding.exception';
export { HASHING_DEFAULT_DIMENSION, HASHING_MODEL, HashingEmbedder } from './hashing.embedder';
export type { HashingEmbedderOptions } from './hashing.embedder';
export { KNOWN_EMBEDDING_DIMENSIONS, OPENAI_DEFAULT_EMBEDDING_MODEL, OpenAiEmbedder } from './openai.embedder';
export type { OpenAiEmbedderOptions } from './openai.embedder';
export { CachedEmbedder, EMBEDDING_CACHE_DEFAULT_TTL_S } from './cached.embedder';
export type { CachedEmbedderOptions } from './cached.embedder';
export { batchEmbed } from './batch-embed';
export type { EmbedBatchProgress } from './batch-embed';
export { cosineSimilarity } from './vector-math';
export {
  createEmbedder,
  embeddingsConfigFromEnv,
  embeddingsEnv,
  embeddingsEnvSchema,
  embeddingsSettings,
} from './embeddings.config';
export type {
  EmbedderDependencies,
  EmbeddingsConfig,
  EmbeddingsEnv,
  HashingEmbeddingsConfig,
  OpenAiEmbeddingsConfig,
} from './embeddings.config';
export {
  DEFAULT_EMBEDDING_MODEL_ALIAS,
  EMBEDDING_MAX_DIMENSIONS,
  EmbeddingInputError,
  EmbeddingModelCatalog,
  embeddingModelsEnv,
  embeddingModelsSettings,
} from './embedding-models';
export type { EmbeddingModelEntry, EmbeddingModelSpec, ModelEmbedOptions } from './embedding-models';
