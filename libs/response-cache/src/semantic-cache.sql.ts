/*
 * The semantic cache's statements on `response_cache_vectors` (prisma/migrations). Only
 * `SemanticCacheStore` runs them; `semantic-cache.store.int-spec.ts` proves them. Every statement
 * names the tenant: no statement reads or deletes across tenants.
 */

/**
 * The nearest live vector in (tenant, scope user, filter hash, embedder): the filter is exact, only
 * the prompt is compared. $1 tenant, $2 scope user (null: tenant-wide), $3 filter hash,
 * $4 embedder, $5 the query vector (pgvector text form).
 */
export const NEAREST_SQL = `
SELECT entry_key, 1 - (embedding <=> $5::vector) AS similarity
  FROM response_cache_vectors
 WHERE tenant_id = $1::uuid AND scope_user_id IS NOT DISTINCT FROM $2::uuid AND filter_hash = $3 AND embedder = $4
   AND expires_at > now()
 ORDER BY embedding <=> $5::vector
 LIMIT 1`;

/** One vector, replacing the tenant's row of the same entry key. */
export const PUT_SQL = `
INSERT INTO response_cache_vectors (tenant_id, entry_key, scope_user_id, created_by, filter_hash, embedder, embedding, expires_at)
VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5, $6, $7::vector, $8::timestamptz)
ON CONFLICT (tenant_id, entry_key) DO UPDATE SET
  scope_user_id = EXCLUDED.scope_user_id, created_by = EXCLUDED.created_by, filter_hash = EXCLUDED.filter_hash,
  embedder = EXCLUDED.embedder, embedding = EXCLUDED.embedding, expires_at = EXCLUDED.expires_at, created_at = now()`;

/** The tenant's expired rows, and the ones expiring first beyond `$2` rows (its entry cap). */
export const PRUNE_SQL = `
DELETE FROM response_cache_vectors
 WHERE tenant_id = $1::uuid
   AND (expires_at <= now()
        OR entry_key IN (SELECT entry_key FROM response_cache_vectors WHERE tenant_id = $1::uuid ORDER BY expires_at DESC, entry_key OFFSET $2))`;

/** Every row of a tenant. */
export const PURGE_TENANT_SQL = `DELETE FROM response_cache_vectors WHERE tenant_id = $1::uuid`;

/** The rows of these entry keys ($2 text[]). */
export const PURGE_KEYS_SQL = `DELETE FROM response_cache_vectors WHERE tenant_id = $1::uuid AND entry_key = ANY($2::text[])`;

/** The rows a user's requests created. */
export const PURGE_USER_SQL = `DELETE FROM response_cache_vectors WHERE tenant_id = $1::uuid AND created_by = $2::uuid`;

/** How many rows a tenant holds. */
export const COUNT_SQL = `SELECT count(*) AS n FROM response_cache_vectors WHERE tenant_id = $1::uuid`;
