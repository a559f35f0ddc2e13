import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RetrievalCacheStore } from './retrieval-cache.store';

describe('RetrievalCacheStore (Redis)', () => {
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const prefix = `test-${randomUUID()}`;
  const store = new RetrievalCacheStore(redis, prefix);

  afterAll(() => redis.quit());

  it('reads back what it stored, for that tenant only, with the TTL', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await store.put(a, 'k1', '[1]', 1);
    expect(await store.get(a, 'k1')).toBe('[1]');
    expect(await store.get(b, 'k1')).toBeUndefined();
    const ttl = await redis.pttl(`${prefix}:rr:{${a}}:e:k1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000);
  });

  it('purges a user\'s private entries only, then the whole tenant, and no other tenant', async () => {
    const [tenant, other, user] = [randomUUID(), randomUUID(), randomUUID()];
    await store.put(tenant, 'shared', '"s"', 60);
    await store.put(tenant, 'mine', '"m"', 60, user);
    await store.put(tenant, 'theirs', '"t"', 60, randomUUID());
    await store.put(other, 'mine', '"o"', 60, user);
    expect(await store.purgeUser(tenant, user)).toBe(1);
    expect(await store.get(tenant, 'mine')).toBeUndefined();
    expect(await store.get(tenant, 'shared')).toBe('"s"');
    expect(await store.get(tenant, 'theirs')).toBe('"t"');
    expect(await store.purgeTenant(tenant)).toBe(2);
    expect(await store.get(tenant, 'shared')).toBeUndefined();
    expect(await store.get(tenant, 'theirs')).toBeUndefined();
    expect(await store.get(other, 'mine')).toBe('"o"');
  });

  it('drops expired members from its index as it stores', async () => {
    const tenant = randomUUID();
    const now = Date.now();
    await store.put(tenant, 'old', '1', 1, null, now - 10_000);
    await store.put(tenant, 'new', '2', 60, null, now);
    expect(await redis.zrange(`${prefix}:rr:{${tenant}}:idx`, '0', '-1')).toEqual(['new']);
  });
});
