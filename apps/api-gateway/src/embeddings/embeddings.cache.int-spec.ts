import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EMBEDDINGS_CACHE_MAX_BYTES, EmbeddingsCache, type EmbeddingsCacheKey } from './embeddings.cache';

const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

describe('EmbeddingsCache on Redis', () => {
  const prefix = `test-embcache-${randomUUID().slice(0, 8)}`;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  let redis: Redis;
  let cache: EmbeddingsCache;
  const errors: Error[] = [];

  beforeAll(() => {
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    cache = new EmbeddingsCache(redis, { prefix, ttlSeconds: 600, onError: (error) => errors.push(error) });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const keyOf = (overrides: Partial<EmbeddingsCacheKey> = {}): EmbeddingsCacheKey => ({ tenantId: tenantA, model: 'text-embedding-3-small', dimensions: 3, inputs: ['alpha', 'beta'], ...overrides });
  const entry = { vectors: [Float32Array.of(0.1, 0.2, 0.3), Float32Array.of(-1, 0, 1)], promptTokens: 7 };

  it('stores an answer under tenant, model, dimensions and the input hash, with the TTL, and reads it back exactly', async () => {
    await cache.set(keyOf(), entry);
    const key = cache.keyOf(keyOf());
    expect(key).toMatch(new RegExp(`^${prefix}:emb-api:${tenantA}:text-embedding-3-small:3:[0-9a-f]{64}$`));
    expect(await redis.ttl(key)).toBeGreaterThan(590);
    expect(await cache.get(keyOf())).toEqual(entry);
  });

  it("never serves one tenant's vectors to another, nor across models, sizes or inputs", async () => {
    await cache.set(keyOf(), entry);
    expect(await cache.get(keyOf({ tenantId: tenantB }))).toBeUndefined();
    expect(await cache.get(keyOf({ model: 'text-embedding-3-large' }))).toBeUndefined();
    expect(await cache.get(keyOf({ inputs: ['alpha'] }))).toBeUndefined();
    expect(await cache.get(keyOf({ inputs: ['beta', 'alpha'] }))).toBeUndefined();
    // A text and the token array of the same characters are different inputs.
    expect(cache.keyOf(keyOf({ inputs: ['1'] }))).not.toBe(cache.keyOf(keyOf({ inputs: [[1]] })));
    // Another size: a different key (and an entry of the wrong shape would be a miss).
    expect(await cache.get(keyOf({ dimensions: 4 }))).toBeUndefined();
  });

  it('treats a malformed entry as a miss', async () => {
    const key = keyOf({ inputs: ['malformed'] });
    await redis.set(cache.keyOf(key), Buffer.from('not a vector'));
    expect(await cache.get(key)).toBeUndefined();
  });

  it('does not store answers larger than the entry limit', async () => {
    const dimensions = 1024;
    const count = Math.ceil(EMBEDDINGS_CACHE_MAX_BYTES / (dimensions * 4)) + 1;
    const key = keyOf({ dimensions, inputs: Array.from({ length: count }, (_, i) => `text ${i}`) });
    await cache.set(key, { vectors: Array.from({ length: count }, () => new Float32Array(dimensions)), promptTokens: count });
    expect(await redis.exists(cache.keyOf(key))).toBe(0);
  });

  it('is best effort: with Redis gone, reads miss and writes are dropped, reporting the failure', async () => {
    const broken = new Redis(redisUrl, { maxRetriesPerRequest: 0, lazyConnect: true, enableOfflineQueue: false });
    const failures: Error[] = [];
    const offline = new EmbeddingsCache(broken, { prefix, ttlSeconds: 60, onError: (error) => failures.push(error) });
    await expect(offline.get(keyOf())).resolves.toBeUndefined();
    await expect(offline.set(keyOf({ inputs: ['offline'] }), entry)).resolves.toBeUndefined();
    expect(failures.length).toBeGreaterThan(0);
    broken.disconnect();
    expect(errors).toEqual([]);
  });
});
