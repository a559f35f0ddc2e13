import { z } from 'zod';
import type { Redis } from 'ioredis';
import { ConfigValidationError, loadConfig, secret } from '@conduit/config';
import { CachedEmbedder } from './cached.embedder';
import type { Embedder } from './embedder';
import { HASHING_DEFAULT_DIMENSION, HASHING_MODEL, HashingEmbedder } from './hashing.embedder';
import { KNOWN_EMBEDDING_DIMENSIONS, OPENAI_DEFAULT_EMBEDDING_MODEL, OPENAI_MAX_BATCH_SIZE, OpenAiEmbedder } from './openai.embedder';

/** Variables of the embedder, to spread into a service's schema. */
export const embeddingsEnv = {
  /** `hashing` (offline, deterministic, for development and tests) or `openai` (any OpenAI-compatible API). */
  EMBEDDINGS_PROVIDER: z.enum(['hashing', 'openai']).default('hashing'),
  /** Model id. hashing: `hashing-v2`; openai: default `text-embedding-3-small`. */
  EMBEDDINGS_MODEL: z.string().min(1).optional(),
  /** Output size. hashing: default 384; openai: sent as `dimensions` when set. */
  EMBEDDINGS_DIMENSION: z.coerce.number().pipe(z.int().min(2).max(16_000)).optional(),
  /** OpenAI-compatible base URL including `/v1`. Default OpenAI's. */
  EMBEDDINGS_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  EMBEDDINGS_API_KEY: secret(z.string().min(1).optional()),
  /** Fallback for EMBEDDINGS_API_KEY. */
  OPENAI_API_KEY: secret(z.string().min(1).optional()),
  /** Inputs per embeddings request (and per ingestion batch). */
  EMBEDDINGS_BATCH_SIZE: z.coerce.number().pipe(z.int().min(1).max(OPENAI_MAX_BATCH_SIZE)).default(64),
  /** Lifetime of cached vectors in Redis; 0 turns the cache off. Default 7 days. */
  EMBEDDINGS_CACHE_TTL_S: z.coerce.number().pipe(z.int().min(0).max(365 * 24 * 3600)).default(7 * 24 * 3600),
};

export const embeddingsEnvSchema = z.object(embeddingsEnv);
export type EmbeddingsEnv = z.output<typeof embeddingsEnvSchema>;

export interface HashingEmbeddingsConfig {
  provider: 'hashing';
  model: typeof HASHING_MODEL;
  dimension: number;
  batchSize: number;
}

export interface OpenAiEmbeddingsConfig {
  provider: 'openai';
  model: string;
  /** The vector size; `dimensions` is sent to the API only when it was configured. */
  dimension: number;
  dimensionsConfigured: boolean;
  baseURL?: string;
  apiKey: string;
  batchSize: number;
  /** 0: no cache. */
  cacheTtlSeconds: number;
}

export type EmbeddingsConfig = HashingEmbeddingsConfig | OpenAiEmbeddingsConfig;

/** Typed settings from parsed variables; names the variable at fault. */
export function embeddingsSettings(env: Partial<EmbeddingsEnv>): EmbeddingsConfig {
  const batchSize = env.EMBEDDINGS_BATCH_SIZE ?? 64;
  if ((env.EMBEDDINGS_PROVIDER ?? 'hashing') === 'hashing') {
    if (env.EMBEDDINGS_MODEL !== undefined && env.EMBEDDINGS_MODEL !== HASHING_MODEL) {
      throw new ConfigValidationError([`EMBEDDINGS_MODEL must be ${HASHING_MODEL} (or unset) when EMBEDDINGS_PROVIDER=hashing`]);
    }
    return { provider: 'hashing', model: HASHING_MODEL, dimension: env.EMBEDDINGS_DIMENSION ?? HASHING_DEFAULT_DIMENSION, batchSize };
  }
  const model = env.EMBEDDINGS_MODEL ?? OPENAI_DEFAULT_EMBEDDING_MODEL;
  const dimension = env.EMBEDDINGS_DIMENSION ?? KNOWN_EMBEDDING_DIMENSIONS[model];
  const problems: string[] = [];
  if (dimension === undefined) problems.push(`EMBEDDINGS_DIMENSION is required for model ${model} (its output size is not known)`);
  const apiKey = env.EMBEDDINGS_API_KEY ?? env.OPENAI_API_KEY ?? (env.EMBEDDINGS_BASE_URL ? 'unused' : undefined);
  if (apiKey === undefined) problems.push('EMBEDDINGS_API_KEY (or OPENAI_API_KEY) is required when EMBEDDINGS_PROVIDER=openai');
  if (problems.length > 0 || dimension === undefined || apiKey === undefined) throw new ConfigValidationError(problems);
  return {
    provider: 'openai',
    model,
    dimension,
    dimensionsConfigured: env.EMBEDDINGS_DIMENSION !== undefined,
    ...(env.EMBEDDINGS_BASE_URL ? { baseURL: env.EMBEDDINGS_BASE_URL } : {}),
    apiKey,
    batchSize,
    cacheTtlSeconds: env.EMBEDDINGS_CACHE_TTL_S ?? 7 * 24 * 3600,
  };
}

/** Parses the environment (empty strings count as unset) into an {@link EmbeddingsConfig}. */
export function embeddingsConfigFromEnv(env: Record<string, string | undefined> = process.env): EmbeddingsConfig {
  return embeddingsSettings(loadConfig(embeddingsEnvSchema, env));
}

export interface EmbedderDependencies {
  /** Enables the embedding cache (openai provider, EMBEDDINGS_CACHE_TTL_S > 0). The caller owns it. */
  redis?: Redis;
  onCacheError?: (error: Error) => void;
  /** Custom fetch for the OpenAI client (tests, proxies). */
  fetch?: typeof fetch;
}

/**
 * The configured embedder. The hashing embedder is never cached (hashing is cheaper than a Redis
 * round trip); the OpenAI embedder is wrapped in a {@link CachedEmbedder} when Redis is given.
 */
export function createEmbedder(config: EmbeddingsConfig, deps: EmbedderDependencies = {}): Embedder {
  if (config.provider === 'hashing') return new HashingEmbedder({ dimension: config.dimension });
  const embedder = new OpenAiEmbedder({
    apiKey: config.apiKey,
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    model: config.model,
    ...(config.dimensionsConfigured ? { dimensions: config.dimension } : {}),
    batchSize: config.batchSize,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  if (!deps.redis || config.cacheTtlSeconds === 0) return embedder;
  return new CachedEmbedder(embedder, deps.redis, {
    ttlSeconds: config.cacheTtlSeconds,
    ...(deps.onCacheError ? { onCacheError: deps.onCacheError } : {}),
  });
}
