/**
 * One interface over every vector database Conduit supports (Qdrant in production, Postgres +
 * pgvector embedded). Every read and delete is scoped to a tenant: there is no call that can
 * return another tenant's points.
 */

/** A vector space holds vectors of one embedding model and dimension (a Qdrant collection, a pgvector table). */
export interface VectorSpace {
  /** Derived from the embedding model and dimension, e.g. `hashing-v2-384`; [a-z0-9_-]. */
  name: string;
  dimension: number;
}

export interface ChunkPayload {
  tenant_id: string;
  /** The uploader: searches of a private collection filter on it (points written before it existed lack it until reindexed). */
  user_id?: string;
  document_id: string;
  collection: string;
  chunk_index: number;
  text: string;
  start_offset: number;
  end_offset: number;
}

export interface VectorPoint {
  /** Deterministic uuid (e.g. from document id + chunk index) so re-upserting never duplicates. */
  id: string;
  vector: number[];
  payload: ChunkPayload;
}

export interface VectorQuery {
  tenantId: string;
  /** Only points uploaded by this user (`payload.user_id`): set for private collections. */
  userId?: string;
  collection?: string;
  documentIds?: string[];
  limit: number;
  /** Cosine similarity in [-1, 1]; hits below it are dropped. */
  scoreThreshold?: number;
}

export interface VectorHit {
  id: string;
  score: number;
  payload: ChunkPayload;
}

export interface VectorStore {
  readonly kind: 'qdrant' | 'pgvector';
  ensureSpace(space: VectorSpace): Promise<void>;
  /** Insert or replace by id. */
  upsert(space: VectorSpace, points: VectorPoint[]): Promise<void>;
  search(space: VectorSpace, vector: number[], query: VectorQuery): Promise<VectorHit[]>;
  deleteDocument(space: VectorSpace, tenantId: string, documentId: string): Promise<void>;
  countDocument(space: VectorSpace, tenantId: string, documentId: string): Promise<number>;
  /** Resolves when the store answers; rejects naming what is wrong (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A store plus the administrative operations that span tenants (tests, tooling, re-indexing);
 * never exposed to request handling.
 */
export interface ManagedVectorStore extends VectorStore {
  /** Deletes the space and every tenant's points in it; resolves if it does not exist. */
  dropSpace(space: VectorSpace): Promise<void>;
}
