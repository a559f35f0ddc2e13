import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EmbedOptions, Embedder } from './embedder';
import { EmbeddingError } from './embedding.exception';

export const EMBEDDING_CACHE_DEFAULT_TTL_S = 7 * 24 * 3600;

export interface CachedEmbedderOptions {
  /** Lifetime of a cached vector in seconds (at least 1). Default 7 days. */
  ttlSeconds?: number;
  /** First key segment. Default `emb` (keys: `emb:<model>:<dimension>:<sha256(text)>`). */
  keyPrefix?: string;
  /** Redis failures are not fatal (the inner embedder answers); they are reported here. */
  onCacheError?: (error: Error) => void;
}

/** Connection states in which a command would fail or wait for a reconnect: skip the cache. */
const UNUSABLE = new Set(['reconnecting', 'close', 'end']);

/** A vector as little-endian float32 bytes (4 bytes per dimension). */
export function encodeVector(vector: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buffer.writeFloatLE(vector[i], i * 4);
  return buffer;
}

export function decodeVector(buffer: Buffer): number[] {
  const out = new Array<number>(buffer.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buffer.readFloatLE(i * 4);
  return out;
}

/**
 * Decorates an {@link Embedder} with a Redis cache of vectors, keyed by model, dimension and the
 * SHA-256 of the text. One MGET finds the hits, the misses (deduplicated) go to the inner embedder
 * in one call, and are written back in one pipeline (key by key on a Redis Cluster, where the keys
 * are in many slots). Vectors are stored as float32, so results are
 * float32-rounded whether they came from the cache or not. The caller owns the Redis connection.
 */
export class CachedEmbedder implements Embedder {
  private readonly ttlSeconds: number;
  private readonly keyPrefix: string;
  private readonly onCacheError: (error: Error) => void;

  constructor(
    private readonly inner: Embedder,
    private readonly redis: Redis,
    options: CachedEmbedderOptions = {},
  ) {
    const ttl = options.ttlSeconds ?? EMBEDDING_CACHE_DEFAULT_TTL_S;
    if (!Number.isInteger(ttl) || ttl < 1) throw new RangeError(`CachedEmbedder: ttlSeconds must be a positive integer, got ${ttl}`);
    this.ttlSeconds = ttl;
    this.keyPrefix = options.keyPrefix ?? 'emb';
    this.onCacheError = options.onCacheError ?? (() => undefined);
  }

  get model(): string {
    return this.inner.model;
  }

  get dimension(): number {
    return this.inner.dimension;
  }

  /** The cache key of a text: `emb:<model>:<dimension>:<sha256 hex>`. */
  keyFor(text: string): string {
    return `${this.keyPrefix}:${this.inner.model}:${this.inner.dimension}:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    if (texts.length === 0) return [];
    const keys = texts.map((text) => this.keyFor(text));
    const cached = await this.read(keys);
    const out = new Array<number[]>(texts.length);
    const misses = new Map<string, number[]>(); // text → positions
    const expectedBytes = this.inner.dimension * 4;
    texts.forEach((text, i) => {
      const hit = cached[i];
      if (hit && hit.length === expectedBytes) {
        out[i] = decodeVector(hit);
        return;
      }
      const positions = misses.get(text);
      if (positions) positions.push(i);
      else misses.set(text, [i]);
    });
    if (misses.size === 0) return out;

    const missTexts = [...misses.keys()];
    const vectors = await this.inner.embed(missTexts, options);
    if (vectors.length !== missTexts.length) {
      throw new EmbeddingError(`${this.inner.model} returned ${vectors.length} vectors for ${missTexts.length} texts`);
    }
    const writes: [string, Buffer][] = [];
    missTexts.forEach((text, k) => {
      const buffer = encodeVector(vectors[k]);
      const rounded = decodeVector(buffer);
      const positions = misses.get(text) ?? [];
      for (const i of positions) out[i] = positions.length > 1 ? [...rounded] : rounded;
      writes.push([keys[positions[0]], buffer]);
    });
    await this.write(writes);
    return out;
  }

  /** A Redis Cluster (REDIS_MODE=cluster): the keys of one call are in many slots, so no MGET or pipeline spans them. */
  private get clustered(): boolean {
    return (this.redis as { isCluster?: boolean }).isCluster === true;
  }

  private async read(keys: string[]): Promise<(Buffer | null)[]> {
    if (UNUSABLE.has(this.redis.status)) return [];
    try {
      if (this.clustered) return await Promise.all(keys.map((key) => this.redis.getBuffer(key)));
      return await this.redis.mgetBuffer(keys);
    } catch (error) {
      this.onCacheError(error instanceof Error ? error : new Error(String(error)));
      return [];
    }
  }

  private async write(entries: [string, Buffer][]): Promise<void> {
    if (UNUSABLE.has(this.redis.status)) return;
    if (this.clustered) {
      const results = await Promise.allSettled(entries.map(([key, value]) => this.redis.set(key, value, 'EX', this.ttlSeconds)));
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) this.onCacheError(failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)));
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const [key, value] of entries) pipeline.set(key, value, 'EX', this.ttlSeconds);
    try {
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed?.[0]) this.onCacheError(failed[0]);
    } catch (error) {
      this.onCacheError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
