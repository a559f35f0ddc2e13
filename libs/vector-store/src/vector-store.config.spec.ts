import { ConfigValidationError, describeConfig } from '@conduit/config';
import { PgVectorStore } from './pgvector.store';
import { QdrantVectorStore } from './qdrant.store';
import { createVectorStore, vectorStoreConfigFromEnv, vectorStoreEnvSchema } from './vector-store.config';

const DB = 'postgresql://postgres@127.0.0.1:5432/conduit';

describe('vectorStoreConfigFromEnv', () => {
  it('defaults to pgvector on DATABASE_URL', () => {
    expect(vectorStoreConfigFromEnv({ DATABASE_URL: DB })).toEqual({ kind: 'pgvector', connectionString: DB, poolSize: 5, efSearch: 100 });
  });

  it('defaults to qdrant when QDRANT_URL is set', () => {
    expect(vectorStoreConfigFromEnv({ QDRANT_URL: 'http://qdrant:6333', QDRANT_API_KEY: 'k' })).toEqual({
      kind: 'qdrant',
      url: 'http://qdrant:6333',
      apiKey: 'k',
      timeoutMs: 10_000,
    });
  });

  it('honours an explicit VECTOR_STORE and the tuning variables', () => {
    expect(
      vectorStoreConfigFromEnv({ VECTOR_STORE: 'pgvector', QDRANT_URL: 'http://q:6333', DATABASE_URL: DB, PGVECTOR_POOL_SIZE: '3', PGVECTOR_EF_SEARCH: '200' }),
    ).toEqual({ kind: 'pgvector', connectionString: DB, poolSize: 3, efSearch: 200 });
  });

  it('names the missing variable of the chosen store', () => {
    expect(() => vectorStoreConfigFromEnv({ VECTOR_STORE: 'qdrant', DATABASE_URL: DB })).toThrow(/QDRANT_URL is required/);
    expect(() => vectorStoreConfigFromEnv({})).toThrow(/DATABASE_URL is required/);
    expect(() => vectorStoreConfigFromEnv({ VECTOR_STORE: 'qdrant', QDRANT_URL: '' })).toThrow(ConfigValidationError);
  });

  it('rejects malformed values', () => {
    expect(() => vectorStoreConfigFromEnv({ VECTOR_STORE: 'milvus', DATABASE_URL: DB })).toThrow(/VECTOR_STORE/);
    expect(() => vectorStoreConfigFromEnv({ QDRANT_URL: 'qdrant:6333' })).toThrow(/QDRANT_URL must be an http/);
    expect(() => vectorStoreConfigFromEnv({ DATABASE_URL: DB, PGVECTOR_EF_SEARCH: '5000' })).toThrow(/PGVECTOR_EF_SEARCH/);
  });

  it('masks the secrets when the config is described', () => {
    const described = describeConfig(vectorStoreEnvSchema.shape, { QDRANT_URL: 'http://q:6333', QDRANT_API_KEY: 'secret', DATABASE_URL: DB });
    expect(described).toEqual({ QDRANT_URL: 'http://q:6333', QDRANT_API_KEY: '***', DATABASE_URL: '***' });
  });
});

describe('createVectorStore', () => {
  it('builds the configured adapter', async () => {
    const qdrant = createVectorStore({ kind: 'qdrant', url: 'http://127.0.0.1:6333', timeoutMs: 1000 });
    expect(qdrant).toBeInstanceOf(QdrantVectorStore);
    expect(qdrant.kind).toBe('qdrant');
    const pg = createVectorStore({ kind: 'pgvector', connectionString: DB, poolSize: 1, efSearch: 40 });
    expect(pg).toBeInstanceOf(PgVectorStore);
    await pg.close();
    await qdrant.close();
  });
});
