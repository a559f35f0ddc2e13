import { describeConfig } from '@conduit/config';
import { CachedEmbedder } from './cached.embedder';
import { createEmbedder, embeddingsConfigFromEnv, embeddingsEnvSchema } from './embeddings.config';
import { HashingEmbedder } from './hashing.embedder';
import { OpenAiEmbedder } from './openai.embedder';
import type { Redis } from 'ioredis';

describe('embeddingsConfigFromEnv', () => {
  it('defaults to the offline hashing embedder', () => {
    expect(embeddingsConfigFromEnv({})).toEqual({ provider: 'hashing', model: 'hashing-v2', dimension: 384, batchSize: 64 });
    expect(embeddingsConfigFromEnv({ EMBEDDINGS_DIMENSION: '128' })).toMatchObject({ provider: 'hashing', dimension: 128 });
  });

  it('configures the OpenAI embedder, falling back to OPENAI_API_KEY', () => {
    expect(embeddingsConfigFromEnv({ EMBEDDINGS_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-1' })).toEqual({
      provider: 'openai',
      model: 'text-embedding-3-small',
      dimension: 1536,
      dimensionsConfigured: false,
      apiKey: 'sk-1',
      batchSize: 64,
      cacheTtlSeconds: 604800,
    });
    expect(
      embeddingsConfigFromEnv({
        EMBEDDINGS_PROVIDER: 'openai',
        EMBEDDINGS_API_KEY: 'sk-emb',
        OPENAI_API_KEY: 'sk-chat',
        EMBEDDINGS_MODEL: 'text-embedding-3-large',
        EMBEDDINGS_DIMENSION: '256',
        EMBEDDINGS_BASE_URL: 'http://proxy:8080/v1',
        EMBEDDINGS_BATCH_SIZE: '500',
        EMBEDDINGS_CACHE_TTL_S: '0',
      }),
    ).toEqual({
      provider: 'openai',
      model: 'text-embedding-3-large',
      dimension: 256,
      dimensionsConfigured: true,
      baseURL: 'http://proxy:8080/v1',
      apiKey: 'sk-emb',
      batchSize: 500,
      cacheTtlSeconds: 0,
    });
  });

  it('lets a keyless self-hosted endpoint go without an API key, but not OpenAI itself', () => {
    expect(
      embeddingsConfigFromEnv({ EMBEDDINGS_PROVIDER: 'openai', EMBEDDINGS_BASE_URL: 'http://tei:8080/v1', EMBEDDINGS_MODEL: 'bge-small', EMBEDDINGS_DIMENSION: '384' }),
    ).toMatchObject({ apiKey: 'unused', dimension: 384 });
    expect(() => embeddingsConfigFromEnv({ EMBEDDINGS_PROVIDER: 'openai' })).toThrow(/EMBEDDINGS_API_KEY \(or OPENAI_API_KEY\) is required/);
  });

  it('names what is wrong', () => {
    expect(() => embeddingsConfigFromEnv({ EMBEDDINGS_PROVIDER: 'openai', OPENAI_API_KEY: 'k', EMBEDDINGS_MODEL: 'my-model' })).toThrow(
      /EMBEDDINGS_DIMENSION is required for model my-model/,
    );
    expect(() => embeddingsConfigFromEnv({ EMBEDDINGS_MODEL: 'text-embedding-3-small' })).toThrow(/EMBEDDINGS_MODEL must be hashing-v2/);
    expect(() => embeddingsConfigFromEnv({ EMBEDDINGS_PROVIDER: 'cohere' })).toThrow(/EMBEDDINGS_PROVIDER/);
    expect(() => embeddingsConfigFromEnv({ EMBEDDINGS_BATCH_SIZE: '5000' })).toThrow(/EMBEDDINGS_BATCH_SIZE/);
    expect(() => embeddingsConfigFromEnv({ EMBEDDINGS_BASE_URL: 'ftp://x' })).toThrow(/EMBEDDINGS_BASE_URL/);
  });

  it('masks the keys when the config is described', () => {
    expect(describeConfig(embeddingsEnvSchema.shape, { EMBEDDINGS_API_KEY: 'sk', OPENAI_API_KEY: 'sk2', EMBEDDINGS_MODEL: 'm' })).toEqual({
      EMBEDDINGS_API_KEY: '***',
      OPENAI_API_KEY: '***',
      EMBEDDINGS_MODEL: 'm',
    });
  });
});

describe('createEmbedder', () => {
  const redis = { status: 'ready' } as unknown as Redis;

  it('builds the hashing embedder, never cached', () => {
    const embedder = createEmbedder(embeddingsConfigFromEnv({ EMBEDDINGS_DIMENSION: '32' }), { redis });
    expect(embedder).toBeInstanceOf(HashingEmbedder);
    expect(embedder.dimension).toBe(32);
  });

  it('wraps the OpenAI embedder in the cache when Redis is given and the TTL is not 0', () => {
    const env = { EMBEDDINGS_PROVIDER: 'openai', OPENAI_API_KEY: 'k' };
    expect(createEmbedder(embeddingsConfigFromEnv(env))).toBeInstanceOf(OpenAiEmbedder);
    const cached = createEmbedder(embeddingsConfigFromEnv(env), { redis });
    expect(cached).toBeInstanceOf(CachedEmbedder);
    expect([cached.model, cached.dimension]).toEqual(['text-embedding-3-small', 1536]);
    expect(createEmbedder(embeddingsConfigFromEnv({ ...env, EMBEDDINGS_CACHE_TTL_S: '0' }), { redis })).toBeInstanceOf(OpenAiEmbedder);
  });
});
