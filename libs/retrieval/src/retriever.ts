import { SpanStatusCode, trace } from '@opentelemetry/api';
import { type Embedder, type EmbeddingUsage, EmbeddingUsageTally } from '@conduit/embeddings';
import { type PrismaClient, visibleCollectionOrder, visibleCollectionWhere } from '@conduit/db';
import { vectorSpaceFor, type VectorStore } from '@conduit/vector-store';
import { type RetrievalCache, retrievalCacheKey, type RetrievalCacheOutcome } from './retrieval-cache';
import { RetrievalException } from './retrieval.exception';
import type { RetrievedChunk } from './retrieved-chunk';

export interface RetrieveRequest {
  tenantId: string;
  /** Who asks: a private collection is searched only by its owner, and only for their documents. */
  userId: string;
  /** Collection name: the caller's private collection of that name, else the tenant's shared one. */
  collection: string;
  query: string;
  /** Chunks to return, 1..50. Default 5. */
  topK?: number;
  /** Cosine similarity in [-1, 1] below which chunks are dropped. Default: none. */
  scoreThreshold?: number;
  /** Only search these documents of the collection. */
  documentIds?: string[];
  /** The retrieval cache, when the tenant's policy turns it on. */
  cache?: RetrievalCache;
}

export interface RetrieveResult {
  chunks: RetrievedChunk[];
  /** Wall time of the whole call: collection lookup, query embedding, search, filename lookup. */
  latency_ms: number;
  /** What embedding the query consumed (none when it came from the cache): the caller bills it. */
  embedding_usage: EmbeddingUsage[];
  /** How the retrieval cache served it; absent when no cache was given. */
  cache?: RetrievalCacheOutcome;
}

export const MAX_TOP_K = 50;
export const DEFAULT_TOP_K = 5;
/** Longest query embedded (characters); longer queries are cut. */
export const MAX_QUERY_CHARS = 8_000;

type RetrievalDb = Pick<PrismaClient, 'collection' | 'document'>;

/**
 * Semantic search over one collection the caller sees (their private one, or their tenant's
 * shared one): embeds the query with the embedder the collection was built with (refusing another
 * model), searches the collection's vector space filtered by tenant and collection — and, for a
 * private collection, by uploader in the vector payload — and keeps chunks of documents that are
 * `indexed` (not ones being deleted or re-ingested; for a private collection, the caller's), best
 * first. Another user's private collection is "not found", exactly like a missing one.
 */
export class Retriever {
  constructor(
    private readonly db: RetrievalDb,
    private readonly vectors: VectorStore,
    private readonly embedder: Embedder,
  ) {}

  /** One `retrieval` span per call: query embedding, vector search and the lookups nest under it. */
  retrieve(request: RetrieveRequest): Promise<RetrieveResult> {
    const attributes = { 'conduit.retrieval.top_k': request.topK ?? DEFAULT_TOP_K };
    return trace.getTracer('@conduit/retrieval').startActiveSpan('retrieval', { attributes }, async (span) => {
      try {
        const result = await this.search(request);
        span.setAttribute('conduit.retrieval.chunks', result.chunks.length);
        if (result.cache) span.setAttribute('conduit.retrieval.cache', result.cache);
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async search(request: RetrieveRequest): Promise<RetrieveResult> {
    const started = performance.now();
    const topK = request.topK ?? DEFAULT_TOP_K;
    if (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) throw RetrievalException.invalid(`topK must be an integer in [1, ${MAX_TOP_K}]`, 'topK');
    if (request.scoreThreshold !== undefined && !(request.scoreThreshold >= -1 && request.scoreThreshold <= 1)) {
      throw RetrievalException.invalid('scoreThreshold must be a number in [-1, 1]', 'scoreThreshold');
    }
    const query = request.query.trim().slice(0, MAX_QUERY_CHARS);
    if (query === '') throw RetrievalException.invalid('query must not be empty', 'query');

    const collection = await this.db.collection.findFirst({
      where: { ...visibleCollectionWhere(request.tenantId, request.userId), name: request.collection },
      orderBy: visibleCollectionOrder,
    });
    if (!collection) throw RetrievalException.collectionNotFound(request.collection);
    if (collection.embeddingModel !== this.embedder.model || collection.embeddingDimension !== this.embedder.dimension) {
      throw RetrievalException.modelMismatch(
        request.collection,
        `${collection.embeddingModel} (${collection.embeddingDimension} dimensions)`,
        `${this.embedder.model} (${this.embedder.dimension} dimensions)`,
      );
    }
    // A private collection: only the caller's points (vector payload) and documents (Postgres).
    const uploader = collection.visibility === 'private' ? request.userId : undefined;
    const cached = request.cache ? await this.lookup(request.cache, request, collection, uploader, query, topK) : undefined;
    if (cached?.chunks) return { chunks: cached.chunks, latency_ms: Math.round((performance.now() - started) * 100) / 100, embedding_usage: [], cache: 'hit' };
    const tally = new EmbeddingUsageTally();
    const [vector] = await this.embedder.embed([query], { onUsage: tally.add });
    // Fetch a little more than asked: hits of documents that are not indexed are dropped below.
    const hits = await this.vectors.search(vectorSpaceFor(collection.embeddingModel, collection.embeddingDimension), vector, {
      tenantId: request.tenantId,
      ...(uploader ? { userId: uploader } : {}),
      collection: collection.id,
      ...(request.documentIds ? { documentIds: request.documentIds } : {}),
      limit: Math.min(topK * 2 + 10, 200),
      ...(request.scoreThreshold !== undefined ? { scoreThreshold: request.scoreThreshold } : {}),
    });
    const documentIds = [...new Set(hits.map((hit) => hit.payload.document_id))];
    const documents =
      documentIds.length === 0
        ? []
        : await this.db.document.findMany({
            where: { id: { in: documentIds }, tenantId: request.tenantId, collectionId: collection.id, status: 'indexed', ...(uploader ? { userId: uploader } : {}) },
            select: { id: true, filename: true },
          });
    const filenames = new Map(documents.map((document) => [document.id, document.filename]));
    const chunks = hits
      .filter((hit) => filenames.has(hit.payload.document_id))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK)
      .map((hit) => ({
        document_id: hit.payload.document_id,
        chunk_index: hit.payload.chunk_index,
        text: hit.payload.text,
        score: hit.score,
        filename: filenames.get(hit.payload.document_id),
        start_offset: hit.payload.start_offset,
        end_offset: hit.payload.end_offset,
      }));
    if (request.cache && cached?.key) {
      // Stored off the answer's path; a failed store only costs the next lookup a miss.
      request.cache.put(request.tenantId, cached.key, chunks, uploader ?? null).catch(() => undefined);
    }
    const outcome = cached ? (cached.key ? 'miss' : 'bypass') : undefined;
    return { chunks, latency_ms: Math.round((performance.now() - started) * 100) / 100, embedding_usage: tally.usages(), ...(outcome ? { cache: outcome } : {}) };
  }

  /**
   * The cache key (the collection's content version included: a trigger on `documents` bumps it
   * with every document added, removed, re-ingested or changing status in it), then the cached
   * chunks. `key` is undefined when the cache failed (bypass).
   */
  private async lookup(
    cache: RetrievalCache,
    request: RetrieveRequest,
    collection: { id: string; contentVersion: number },
    uploader: string | undefined,
    query: string,
    topK: number,
  ): Promise<{ key?: string; chunks?: RetrievedChunk[] }> {
    try {
      const key = retrievalCacheKey({
        userId: uploader ?? null,
        collectionId: collection.id,
        version: collection.contentVersion,
        embedder: `${this.embedder.model}:${this.embedder.dimension}`,
        query,
        topK,
        scoreThreshold: request.scoreThreshold ?? null,
        documentIds: request.documentIds ?? null,
      });
      const chunks = await cache.get(request.tenantId, key);
      return chunks ? { key, chunks } : { key };
    } catch {
      return {};
    }
  }
}
