import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import {
  InvalidVectorInputError,
  VectorDimensionError,
  VectorSpaceNotFoundError,
  VectorStoreError,
  VectorTenantConflictError,
} from './vector-store.exception';
import { assertSpace } from './vector-space';
import { preparePoints, prepareQuery, uuidOf } from './validation';
import type { ChunkPayload, ManagedVectorStore, VectorHit, VectorPoint, VectorQuery, VectorSpace } from './vector-store';

/** The part of the Qdrant client this store uses (a seam for unit tests). */
export type QdrantApi = Pick<
  QdrantClient,
  | 'collectionExists'
  | 'createCollection'
  | 'createPayloadIndex'
  | 'getCollection'
  | 'getCollections'
  | 'deleteCollection'
  | 'upsert'
  | 'retrieve'
  | 'query'
  | 'delete'
  | 'count'
>;

export interface QdrantVectorStoreOptions {
  /** e.g. `http://qdrant:6333` (without a port the client assumes 6333). */
  url: string;
  apiKey?: string;
  /** Per-request timeout. Default 10000 ms. */
  timeoutMs?: number;
  /** `hnsw_ef` for searches (raised to the query's limit). Default 128. */
  efSearch?: number;
  /** Points per upsert request. Default 256. */
  upsertBatchSize?: number;
  /** Use this client instead of building one from url/apiKey (tests). */
  client?: QdrantApi;
}

/** Payload fields with an index; `tenant_id` is the tenant key (co-located storage per tenant). */
const PAYLOAD_INDEXES: { field: keyof ChunkPayload; schema: Schemas['PayloadFieldSchema'] }[] = [
  { field: 'tenant_id', schema: { type: 'keyword', is_tenant: true } },
  { field: 'user_id', schema: { type: 'keyword' } },
  { field: 'document_id', schema: { type: 'keyword' } },
  { field: 'collection', schema: { type: 'keyword' } },
];

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number') return status;
  // QdrantClientUnexpectedResponseError only carries the status in its message.
  const match = /Unexpected Response: (\d{3})/.exec(error instanceof Error ? error.message : '');
  return match ? Number(match[1]) : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const data = (error as { data?: { status?: { error?: unknown } } }).data;
  const detail = typeof data?.status?.error === 'string' ? data.status.error : undefined;
  return detail ? `${error.message}: ${detail}` : error.message;
}

function translate(error: unknown, space: VectorSpace): unknown {
  if (error instanceof VectorStoreError) return error;
  const status = statusOf(error);
  if (status === 404) return new VectorSpaceNotFoundError(space.name);
  const message = describe(error);
  if (status === 400 && /dimension/i.test(message)) return new VectorDimensionError(`vector space "${space.name}": ${message}`);
  return error;
}

function tenantFilter(tenantId: string, ...more: Schemas['FieldCondition'][]): Schemas['Filter'] {
  return { must: [{ key: 'tenant_id', match: { value: tenantId } }, ...more] };
}

/**
 * Qdrant: one collection per vector space (cosine distance), payload indexes on `tenant_id`
 * (a tenant key), `document_id` and `collection`. Every read and delete carries a `tenant_id`
 * filter; writes wait until applied.
 */
export class QdrantVectorStore implements ManagedVectorStore {
  readonly kind = 'qdrant' as const;
  private readonly client: QdrantApi;
  private readonly efSearch: number;
  private readonly batchSize: number;
  private readonly ensured = new Map<string, number>();

  /** {@link translate}, forgetting a space found missing (deleted behind this process's back), so the next `ensureSpace` recreates it. */
  private translate(error: unknown, space: VectorSpace): unknown {
    const translated = translate(error, space);
    if (translated instanceof VectorSpaceNotFoundError) this.ensured.delete(space.name);
    return translated;
  }

  constructor(options: QdrantVectorStoreOptions) {
    if (options.client) {
      this.client = options.client;
    } else {
      if (!/^https?:\/\//.test(options.url ?? '')) {
        throw new InvalidVectorInputError(`QDRANT_URL must be an http:// or https:// URL, got ${JSON.stringify(options.url)}`);
      }
      this.client = new QdrantClient({
        url: options.url,
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
        timeout: options.timeoutMs ?? 10_000,
        // The check logs with console.warn from inside the client; readiness reports reachability instead.
        checkCompatibility: false,
      });
    }
    this.efSearch = Math.max(1, Math.floor(options.efSearch ?? 128));
    this.batchSize = Math.max(1, Math.floor(options.upsertBatchSize ?? 256));
  }

  async ensureSpace(space: VectorSpace): Promise<void> {
    assertSpace(space);
    if (this.ensured.get(space.name) === space.dimension) return;
    const { exists } = await this.client.collectionExists(space.name);
    if (!exists) {
      try {
        await this.client.createCollection(space.name, {
          vectors: { size: space.dimension, distance: 'Cosine' },
        });
      } catch (error) {
        // Another process may have created it meanwhile (409, or 400 "already exists" on older servers).
        const { exists: nowExists } = await this.client.collectionExists(space.name);
        if (!nowExists) throw new VectorStoreError(`qdrant: cannot create collection "${space.name}": ${describe(error)}`);
      }
    }
    const info = await this.client.getCollection(space.name);
    const vectors = info.config.params.vectors as Partial<Schemas['VectorParams']> | undefined;
    if (vectors?.size !== space.dimension || vectors.distance !== 'Cosine') {
      throw new VectorDimensionError(
        `vector space "${space.name}" already exists as a Qdrant collection with ${vectors?.size ?? 'named'} dimensions and ${vectors?.distance ?? 'unknown'} distance, not ${space.dimension} and Cosine`,
      );
    }
    for (const index of PAYLOAD_INDEXES) {
      if (info.payload_schema?.[index.field]) continue;
      await this.client.createPayloadIndex(space.name, { field_name: index.field, field_schema: index.schema, wait: true });
    }
    this.ensured.set(space.name, space.dimension);
  }

  async upsert(space: VectorSpace, points: VectorPoint[]): Promise<void> {
    assertSpace(space);
    const prepared = preparePoints(space, points);
    try {
      for (let start = 0; start < prepared.length; start += this.batchSize) {
        const batch = prepared.slice(start, start + this.batchSize);
        await this.assertOwnership(space, batch);
        await this.client.upsert(space.name, {
          wait: true,
          points: batch.map((point) => ({ id: point.id, vector: point.vector, payload: { ...point.payload } })),
        });
      }
    } catch (error) {
      throw this.translate(error, space);
    }
  }

  async search(space: VectorSpace, vector: number[], query: VectorQuery): Promise<VectorHit[]> {
    assertSpace(space);
    const prepared = prepareQuery(space, vector, query);
    if (prepared.documentIds?.length === 0) return []; // an empty document filter matches nothing
    const conditions: Schemas['FieldCondition'][] = [];
    if (prepared.userId !== undefined) conditions.push({ key: 'user_id', match: { value: prepared.userId } });
    if (prepared.collection !== undefined) conditions.push({ key: 'collection', match: { value: prepared.collection } });
    if (prepared.documentIds !== undefined) conditions.push({ key: 'document_id', match: { any: prepared.documentIds } });
    try {
      const response = await this.client.query(space.name, {
        query: vector,
        filter: tenantFilter(prepared.tenantId, ...conditions),
        limit: prepared.limit,
        ...(prepared.scoreThreshold !== undefined ? { score_threshold: prepared.scoreThreshold } : {}),
        params: { hnsw_ef: Math.max(this.efSearch, prepared.limit) },
        with_payload: true,
        with_vector: false,
      });
      return response.points
        .map((point) => ({ id: String(point.id), score: point.score, payload: point.payload as unknown as ChunkPayload }))
        // belt and braces: the filter already keeps other tenants' (and, for a private collection, other users') points out
        .filter((hit) => hit.payload?.tenant_id === prepared.tenantId && (prepared.userId === undefined || hit.payload.user_id === prepared.userId));
    } catch (error) {
      throw this.translate(error, space);
    }
  }

  async deleteDocument(space: VectorSpace, tenantId: string, documentId: string): Promise<void> {
    assertSpace(space);
    const filter = tenantFilter(uuidOf(tenantId, 'tenantId'), { key: 'document_id', match: { value: uuidOf(documentId, 'documentId') } });
    try {
      await this.client.delete(space.name, { wait: true, filter });
    } catch (error) {
      throw this.translate(error, space);
    }
  }

  async countDocument(space: VectorSpace, tenantId: string, documentId: string): Promise<number> {
    assertSpace(space);
    const filter = tenantFilter(uuidOf(tenantId, 'tenantId'), { key: 'document_id', match: { value: uuidOf(documentId, 'documentId') } });
    try {
      return (await this.client.count(space.name, { filter, exact: true })).count;
    } catch (error) {
      throw this.translate(error, space);
    }
  }

  async dropSpace(space: VectorSpace): Promise<void> {
    assertSpace(space);
    try {
      await this.client.deleteCollection(space.name);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    this.ensured.delete(space.name);
  }

  async ping(): Promise<void> {
    try {
      await this.client.getCollections();
    } catch (error) {
      throw new Error(`qdrant did not answer: ${describe(error)}`);
    }
  }

  async close(): Promise<void> {
    // The REST client keeps no resources that need releasing.
  }

  /**
   * Point ids are deterministic, so an id can only be overwritten by its own tenant. Qdrant has no
   * conditional upsert, so this reads the existing owners first (a check, not a lock).
   */
  private async assertOwnership(space: VectorSpace, batch: VectorPoint[]): Promise<void> {
    const existing = await this.client.retrieve(space.name, {
      ids: batch.map((point) => point.id),
      with_payload: { include: ['tenant_id'] },
      with_vector: false,
    });
    const owner = new Map(existing.map((record) => [String(record.id), record.payload?.['tenant_id']]));
    const foreign = batch.filter((point) => owner.has(point.id) && owner.get(point.id) !== point.payload.tenant_id);
    if (foreign.length > 0) throw new VectorTenantConflictError(space.name, foreign.map((point) => point.id));
  }
}
