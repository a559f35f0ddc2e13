import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CacheEntry, CacheEntryOwner, CacheLimits, ResponseCacheStore, RetrievalCacheStore } from '@conduit/response-cache';
import type { RetrievalCache, RetrievedChunk } from '@conduit/retrieval';
import { INTERNAL_SETTINGS, InternalSettings } from '../../../internal/internal.constants';

class CacheTimeoutError extends Error {
  constructor(ms: number) {
    super(`response cache did not answer within ${ms} ms`);
  }
}

/**
 * The response cache's Redis, shared by the `cache_lookup` and `cache_store` stages. Its own
 * connection (`RESPONSE_CACHE_REDIS_URL`, default `REDIS_URL`) that never retries a command: a
 * lookup that fails or takes longer than `RESPONSE_CACHE_TIMEOUT_MS` rejects, and the stage goes
 * on without the cache. The cache is an optimisation; it never fails a request.
 */
@Injectable()
export class ResponseCache implements OnApplicationShutdown {
  private readonly logger = new Logger(ResponseCache.name);
  private readonly redis: Redis | undefined;
  private readonly store: ResponseCacheStore | undefined;
  private readonly retrievals: RetrievalCacheStore | undefined;
  private readonly timeoutMs: number;
  private lastErrorLog = 0;

  constructor(@Inject(INTERNAL_SETTINGS) settings: InternalSettings) {
    const options = settings.responseCache;
    this.timeoutMs = options?.timeoutMs ?? 50;
    if (!options) return;
    this.redis = new Redis(options.url, {
      connectionName: 'response-cache',
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      lazyConnect: false,
    });
    this.redis.on('error', (error: Error) => {
      // A Redis that is down reports on every reconnect attempt: one line a minute is enough.
      if (Date.now() - this.lastErrorLog < 60_000) return;
      this.lastErrorLog = Date.now();
      this.logger.warn({ err: error }, 'response cache Redis unavailable: requests bypass the cache');
    });
    this.store = new ResponseCacheStore(this.redis, options.prefix);
    this.retrievals = new RetrievalCacheStore(this.redis, options.prefix);
  }

  /**
   * The retrieval cache (stage `retrieval`, policy `cache.retrieval`) on this connection, entries
   * kept `ttlSeconds`; `undefined` when no cache Redis is configured. Its calls reject on a Redis
   * that fails or is slower than the deadline, and the retriever goes on without it.
   */
  retrievalCache(ttlSeconds: number): RetrievalCache | undefined {
    const store = this.retrievals;
    if (!store) return undefined;
    return {
      get: async (tenantId, key) => {
        const raw = await this.deadline(store.get(tenantId, key));
        if (raw === undefined) return undefined;
        // Anything but a list of chunks (a foreign or corrupted value) is a miss.
        const chunks: unknown = JSON.parse(raw);
        return Array.isArray(chunks) ? (chunks as RetrievedChunk[]) : undefined;
      },
      put: (tenantId, key, chunks, userId) => this.deadline(store.put(tenantId, key, JSON.stringify(chunks), ttlSeconds, userId)),
    };
  }

  /** The entry for the key, `undefined` on a miss; rejects when Redis fails or is too slow. */
  get(tenantId: string, key: string): Promise<CacheEntry | undefined> {
    if (!this.store) return Promise.resolve(undefined);
    return this.deadline(this.store.get(tenantId, key));
  }

  put(tenantId: string, key: string, entry: CacheEntry, limits: CacheLimits, owner: CacheEntryOwner): Promise<{ stored: boolean; evicted: number }> {
    if (!this.store) return Promise.resolve({ stored: false, evicted: 0 });
    return this.deadline(this.store.put(tenantId, key, entry, limits, Date.now(), owner));
  }

  private deadline<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheTimeoutError(this.timeoutMs)), this.timeoutMs);
    });
    // A command that outlives its deadline must not surface as an unhandled rejection.
    work.catch(() => undefined);
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  async onApplicationShutdown(): Promise<void> {
    // A connection that is not up has nothing to flush, and `quit` would wait for it to come back.
    if (this.redis?.status === 'ready') await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis?.disconnect();
  }
}
