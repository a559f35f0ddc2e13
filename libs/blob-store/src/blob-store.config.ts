import { z } from 'zod';

/**
 * `BLOB_STORE`: `filesystem` (default; `BLOB_DIR` must be shared by the gateway and the ingestion
 * worker, e.g. one machine) or `postgres` (bytea rows in `DATABASE_URL`; nothing to share, the
 * right choice for Kubernetes and compose).
 */
export const blobStoreEnv = {
  BLOB_STORE: z.enum(['filesystem', 'postgres']).default('filesystem'),
  BLOB_DIR: z.string().min(1).default('./tmp/blobs'),
};

export type BlobStoreOptions = { kind: 'filesystem'; dir: string } | { kind: 'postgres'; databaseUrl: string };

export function blobStoreSettings(env: { BLOB_STORE?: 'filesystem' | 'postgres'; BLOB_DIR: string; DATABASE_URL?: string }): BlobStoreOptions {
  if (env.BLOB_STORE === 'postgres') {
    if (!env.DATABASE_URL) throw new Error('BLOB_STORE=postgres needs DATABASE_URL');
    return { kind: 'postgres', databaseUrl: env.DATABASE_URL };
  }
  return { kind: 'filesystem', dir: env.BLOB_DIR };
}
