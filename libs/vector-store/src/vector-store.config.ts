import { z } from 'zod';
import { ConfigValidationError, loadConfig, secret } from '@conduit/config';
import { PgVectorStore } from './pgvector.store';
import { QdrantVectorStore } from './qdrant.store';
import type { ManagedVectorStore } from './vector-store';

/**
 * Variables of the vector store, to spread into a service's schema next to `databaseEnv`
 * (pgvector uses the service's DATABASE_URL).
 */
export const vectorStoreEnv = {
  /** `qdrant` or `pgvector`. Unset: qdrant when QDRANT_URL is set, otherwise pgvector. */
  VECTOR_STORE: z.enum(['qdrant', 'pgvector']).optional(),
  QDRANT_URL: z.string().regex(/^https?:\/\/.+/, 'must be an http:// or https:// URL').optional(),
  QDRANT_API_KEY: secret(z.string().min(1).optional()),
  QDRANT_TIMEOUT_MS: z.coerce.number().pipe(z.int().min(1).max(600_000)).default(10_000),
  /** Connections of the pgvector store's own pool (separate from Prisma's). */
  PGVECTOR_POOL_SIZE: z.coerce.number().pipe(z.int().min(1).max(200)).default(5),
  /** `hnsw.ef_search` (search breadth; higher = better recall, slower). */
  PGVECTOR_EF_SEARCH: z.coerce.number().pipe(z.int().min(1).max(1_000)).default(100),
};

/** The standalone schema: the vector store's variables plus DATABASE_URL (needed for pgvector). */
export const vectorStoreEnvSchema = z.object({
  ...vectorStoreEnv,
  DATABASE_URL: secret(z.string().regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL').optional()),
});

export type VectorStoreEnv = z.output<typeof vectorStoreEnvSchema>;

export interface QdrantStoreConfig {
  kind: 'qdrant';
  url: string;
  apiKey?: string;
  timeoutMs: number;
}

export interface PgVectorStoreConfig {
  kind: 'pgvector';
  connectionString: string;
  poolSize: number;
  efSearch: number;
}

export type VectorStoreConfig = QdrantStoreConfig | PgVectorStoreConfig;

/** Typed settings from parsed variables; names the variable that is missing for the chosen store. */
export function vectorStoreSettings(env: Partial<VectorStoreEnv>): VectorStoreConfig {
  const kind = env.VECTOR_STORE ?? (env.QDRANT_URL ? 'qdrant' : 'pgvector');
  if (kind === 'qdrant') {
    if (!env.QDRANT_URL) throw new ConfigValidationError(['QDRANT_URL is required when VECTOR_STORE=qdrant']);
    return {
      kind,
      url: env.QDRANT_URL,
      ...(env.QDRANT_API_KEY ? { apiKey: env.QDRANT_API_KEY } : {}),
      timeoutMs: env.QDRANT_TIMEOUT_MS ?? 10_000,
    };
  }
  if (!env.DATABASE_URL) throw new ConfigValidationError(['DATABASE_URL is required when VECTOR_STORE=pgvector']);
  return {
    kind,
    connectionString: env.DATABASE_URL,
    poolSize: env.PGVECTOR_POOL_SIZE ?? 5,
    efSearch: env.PGVECTOR_EF_SEARCH ?? 100,
  };
}

/** Parses the environment (empty strings count as unset) into a {@link VectorStoreConfig}. */
export function vectorStoreConfigFromEnv(env: Record<string, string | undefined> = process.env): VectorStoreConfig {
  return vectorStoreSettings(loadConfig(vectorStoreEnvSchema, env));
}

/** The configured store; the caller owns it (`close()` when done). */
export function createVectorStore(config: VectorStoreConfig): ManagedVectorStore {
  switch (config.kind) {
    case 'qdrant':
      return new QdrantVectorStore({ url: config.url, apiKey: config.apiKey, timeoutMs: config.timeoutMs });
    case 'pgvector':
      return new PgVectorStore({ connectionString: config.connectionString, poolSize: config.poolSize, efSearch: config.efSearch });
  }
}
