import type { Pool } from 'pg';
import { COUNT_SQL, NEAREST_SQL, PRUNE_SQL, PURGE_KEYS_SQL, PURGE_TENANT_SQL, PURGE_USER_SQL, PUT_SQL } from './semantic-cache.sql';

/** Where a vector may be matched: the tenant, the user when the scope is per user, the hard filter and the embedder. */
export interface SemanticScope {
  tenantId: string;
  /** Set when the tenant's cache scope is per user; `null` matches across the tenant's users. */
  scopeUserId: string | null;
  /** Hash of everything but the last user turn (see `semanticFilterHash`). */
  filterHash: string;
  /** The embedder's model id: vectors of different embedders are never compared. */
  embedder: string;
}

export interface SemanticVector extends SemanticScope {
  /** The exact cache key of the entry (in Redis) this vector points to. */
  key: string;
  /** The user whose request created it (erasure), or null. */
  createdBy: string | null;
  vector: readonly number[];
  expiresAt: Date;
}

export interface SemanticMatch {
  key: string;
  /** Cosine similarity of the query to the stored prompt, in [-1, 1]. */
  similarity: number;
}

/** `[1,2,3]`, pgvector's text form. */
function vectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

/**
 * The semantic response cache's vectors, in Postgres with pgvector (`response_cache_vectors`):
 * one row per cached answer of a semantic tenant, pointing to the exact entry in Redis. The only
 * writer of that table. A lookup is a nearest-neighbour search inside one (tenant, scope user,
 * filter hash, embedder): an exact scan of that slice (no ANN index: the filter usually leaves a
 * few rows; the bench measures the cost with many).
 */
export class SemanticCacheStore {
  constructor(private readonly pool: Pool) {}

  async nearest(scope: SemanticScope, vector: readonly number[]): Promise<SemanticMatch | undefined> {
    const { rows } = await this.pool.query<{ entry_key: string; similarity: number }>({
      name: 'response_cache_nearest_v1',
      text: NEAREST_SQL,
      values: [scope.tenantId, scope.scopeUserId, scope.filterHash, scope.embedder, vectorLiteral(vector)],
    });
    const [row] = rows;
    return row ? { key: row.entry_key, similarity: Number(row.similarity) } : undefined;
  }

  /** Stores (or replaces) the vector of an entry, then drops the tenant's expired rows and those beyond `maxEntries`. */
  async put(row: SemanticVector, maxEntries: number): Promise<void> {
    await this.pool.query({
      name: 'response_cache_put_v1',
      text: PUT_SQL,
      values: [row.tenantId, row.key, row.scopeUserId, row.createdBy, row.filterHash, row.embedder, vectorLiteral(row.vector), row.expiresAt.toISOString()],
    });
    await this.pool.query({ name: 'response_cache_prune_v1', text: PRUNE_SQL, values: [row.tenantId, maxEntries] });
  }

  /** Rows the tenant holds (admin, tests). */
  async count(tenantId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(COUNT_SQL, [tenantId]);
    return Number(rows[0]?.n ?? 0);
  }

  async purgeTenant(tenantId: string): Promise<number> {
    return (await this.pool.query(PURGE_TENANT_SQL, [tenantId])).rowCount ?? 0;
  }

  async purgeKeys(tenantId: string, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return (await this.pool.query(PURGE_KEYS_SQL, [tenantId, keys])).rowCount ?? 0;
  }

  async purgeUser(tenantId: string, userId: string): Promise<number> {
    return (await this.pool.query(PURGE_USER_SQL, [tenantId, userId])).rowCount ?? 0;
  }
}
