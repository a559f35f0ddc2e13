import { createHash } from 'node:crypto';
import type { RetrievedChunk } from './retrieved-chunk';

/**
 * Where a retrieval's chunks are kept between identical lookups (the retrieval cache; the caller
 * supplies it: Redis in the orchestrator). Both calls may reject: the retriever then goes on
 * without the cache (a lookup that failed is a `bypass`), never failing the retrieval.
 */
export interface RetrievalCache {
  get(tenantId: string, key: string): Promise<RetrievedChunk[] | undefined>;
  /** `userId`: the user of a private collection's entry (its chunks are their documents), else null. */
  put(tenantId: string, key: string, chunks: RetrievedChunk[], userId: string | null): Promise<void>;
}

/** How the cache served one retrieval: `hit`, `miss` (searched, then stored) or `bypass` (the cache failed). */
export type RetrievalCacheOutcome = 'hit' | 'miss' | 'bypass';

/** Everything a retrieval's result depends on. */
export interface RetrievalCacheKeyParts {
  /** Set when the collection is private: its results are the user's own documents. */
  userId: string | null;
  collectionId: string;
  /** The collection's content version: bumped with every document added, changed or removed in it. */
  version: number;
  embedder: string;
  query: string;
  topK: number;
  scoreThreshold: number | null;
  documentIds: string[] | null;
}

export const RETRIEVAL_CACHE_KEY_VERSION = 1;

/** SHA-256 of the parts (the tenant is not in it: the store keeps each tenant's keys apart). */
export function retrievalCacheKey(parts: RetrievalCacheKeyParts): string {
  const canonical = JSON.stringify([
    RETRIEVAL_CACHE_KEY_VERSION,
    parts.userId,
    parts.collectionId,
    parts.version,
    parts.embedder,
    parts.query,
    parts.topK,
    parts.scoreThreshold,
    parts.documentIds ? [...parts.documentIds].sort() : null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
