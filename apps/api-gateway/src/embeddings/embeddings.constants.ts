import type { EmbeddingModelSpec } from '@conduit/embeddings';

export const GATEWAY_EMBEDDINGS_SETTINGS = Symbol('GATEWAY_EMBEDDINGS_SETTINGS');
export const EMBEDDINGS_CACHE_REDIS = Symbol('EMBEDDINGS_CACHE_REDIS');

export interface GatewayEmbeddingsSettings {
  /** The models clients may name (`EMBEDDINGS_MODELS`, or the `EMBEDDINGS_*` embedder). */
  models: EmbeddingModelSpec[];
  /** Lifetime of cached answers (`EMBEDDINGS_CACHE_TTL_S`); 0: no cache. */
  cacheTtlSeconds: number;
  redis: { url: string; prefix: string };
}
