import type { Redis } from 'ioredis';

/**
 * The retrieval cache (policy `cache.retrieval`): the chunks one retrieval returned, under a key
 * that the caller derives from everything the result depends on (tenant, user for a private
 * collection, collection and its version, embedder, query, top_k, threshold, document filter).
 * Every key carries the tenant in a hash tag: `<prefix>:rr:{<tenant>}:<key>`. Entries live for
 * the policy's TTL; a change to the collection changes its version, so an old entry is never
 * read again and simply expires. The value is opaque JSON (the caller's chunks).
 */
export class RetrievalCacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private entryKey(tenantId: string, key: string): string {
    return `${this.prefix}:rr:{${tenantId}}:${key}`;
  }

  /** The stored value, `undefined` on a miss. */
  async get(tenantId: string, key: string): Promise<string | undefined> {
    return (await this.redis.get(this.entryKey(tenantId, key))) ?? undefined;
  }

  async put(tenantId: string, key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.entryKey(tenantId, key), value, 'PX', ttlSeconds * 1_000);
  }
}
