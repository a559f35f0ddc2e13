import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { CachePolicy } from '@conduit/contracts';
import type { Embedder, EmbeddingUsage } from '@conduit/embeddings';
import { RETRIEVAL_EMBEDDER } from '@conduit/retrieval';
import { SemanticCacheStore, SemanticMatch, SemanticScope, SemanticVector } from '@conduit/response-cache';
import { INTERNAL_SETTINGS, InternalSettings } from '../../../internal/internal.constants';

class SemanticTimeoutError extends Error {
  constructor(ms: number) {
    super(`semantic cache did not answer within ${ms} ms`);
  }
}

/** The offline embedders that compare words, not meaning (libs/embeddings `HashingEmbedder`). */
const BAG_OF_WORDS = /^hashing-/;

/**
 * The semantic cache's side of the response cache, shared by `cache_lookup` and `cache_store`:
 * the deployment's embedder (the one retrieval uses, `EMBEDDINGS_*`) and the vectors in Postgres
 * (`RESPONSE_CACHE_DATABASE_URL`, default `DATABASE_URL`) on a small pool of its own. An embedding
 * plus a search that fails or takes longer than `RESPONSE_CACHE_SEMANTIC_TIMEOUT_MS` rejects, and
 * the request goes on with the exact cache only: like Redis, the vector store never fails a
 * request.
 */
@Injectable()
export class SemanticCache implements OnApplicationShutdown {
  private readonly logger = new Logger(SemanticCache.name);
  private readonly pool: Pool | undefined;
  private readonly store: SemanticCacheStore | undefined;
  private readonly timeoutMs: number;
  private lastErrorLog = 0;
  private warnedBagOfWords = false;

  constructor(
    @Inject(INTERNAL_SETTINGS) settings: InternalSettings,
    @Inject(RETRIEVAL_EMBEDDER) private readonly embedder: Embedder,
  ) {
    const options = settings.responseCache;
    this.timeoutMs = options?.semanticTimeoutMs ?? 250;
    if (!options?.databaseUrl) return;
    this.pool = new Pool({
      connectionString: options.databaseUrl,
      max: 4,
      connectionTimeoutMillis: this.timeoutMs,
      // A search left running after its deadline must not hold a connection for long.
      statement_timeout: Math.max(this.timeoutMs * 4, 1_000),
      application_name: 'conduit-response-cache',
    });
    this.pool.on('error', (error: Error) => this.warn(error, 'semantic cache Postgres connection failed'));
    this.store = new SemanticCacheStore(this.pool);
  }

  /** The embedder's model id: vectors of another embedder are never compared. */
  get embedderModel(): string {
    return this.embedder.model;
  }

  /**
   * Whether a tenant's semantic cache may run: a store is configured, and the embedder compares
   * meaning — the bag-of-words hashing embedder only when the tenant forces it.
   */
  usable(policy: CachePolicy): boolean {
    if (!this.store) return false;
    if (!BAG_OF_WORDS.test(this.embedder.model) || policy.semantic.allow_hashing_embedder) return true;
    if (!this.warnedBagOfWords) {
      this.warnedBagOfWords = true;
      this.logger.warn({ embedder: this.embedder.model }, 'semantic cache refused with a bag-of-words embedder (cache.semantic.allow_hashing_embedder forces it): exact lookups only');
    }
    return false;
  }

  /**
   * The prompt's vector and its nearest stored neighbour in the scope; rejects on failure or past
   * the deadline. `onUsage` hears what the embedding consumed (billed by the caller), even when the
   * search then fails.
   */
  lookup(scope: SemanticScope, prompt: string, onUsage: (usage: EmbeddingUsage) => void): Promise<{ vector: number[]; match: SemanticMatch | undefined }> {
    const store = this.store;
    if (!store) return Promise.reject(new Error('semantic cache not configured'));
    return this.deadline(
      (async () => {
        const [vector] = await this.embedder.embed([prompt], { onUsage });
        if (!vector) throw new Error('the embedder returned no vector');
        return { vector, match: await store.nearest(scope, vector) };
      })(),
    );
  }

  /** Stores the vector of a stored entry, in the background; a failure only costs the semantic match. */
  remember(row: SemanticVector, maxEntries: number): Promise<void> {
    if (!this.store) return Promise.resolve();
    return this.store.put(row, maxEntries);
  }

  private deadline<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SemanticTimeoutError(this.timeoutMs)), this.timeoutMs);
    });
    work.catch(() => undefined);
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  private warn(error: unknown, message: string): void {
    if (Date.now() - this.lastErrorLog < 60_000) return;
    this.lastErrorLog = Date.now();
    this.logger.warn({ err: error }, message);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end().catch(() => undefined);
  }
}
