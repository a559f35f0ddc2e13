import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CacheEntry } from './cache-entry';
import { ResponseCacheStore } from './response-cache.store';

const entry = (content: string): CacheEntry => ({
  v: 1,
  content,
  finish_reason: 'stop',
  provider: 'mock',
  model: 'mock-1',
  usage: { input_tokens: 5, output_tokens: 3, cached_tokens: 0 },
  cost_nano: 100,
  created_at: Date.now(),
});
const limits = { ttlSeconds: 60, maxEntries: 100, maxBytes: 1_000_000 };

describe('ResponseCacheStore (Redis)', () => {
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const store = new ResponseCacheStore(redis, `test-${randomUUID()}`);

  afterAll(() => redis.quit());

  it('reads back what it stored, for that tenant only', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await store.put(a, 'k1', entry('Paris.'), limits);
    expect((await store.get(a, 'k1'))?.content).toBe('Paris.');
    expect(await store.get(b, 'k1')).toBeUndefined();
  });

  it('gives each entry the TTL', async () => {
    const tenant = randomUUID();
    await store.put(tenant, 'k', entry('x'), { ...limits, ttlSeconds: 1 });
    expect((await store.get(tenant, 'k'))?.content).toBe('x');
    const ttl = await redis.pttl(`${(store as unknown as { prefix: string }).prefix}:rc:{${tenant}}:e:k`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000);
  });

  it('evicts the oldest entries beyond the entry cap and the byte cap', async () => {
    const tenant = randomUUID();
    const now = Date.now();
    for (let i = 0; i < 5; i += 1) await store.put(tenant, `k${i}`, entry(`answer ${i}`), { ...limits, maxEntries: 3 }, now + i);
    expect(await store.get(tenant, 'k0')).toBeUndefined();
    expect(await store.get(tenant, 'k1')).toBeUndefined();
    expect((await store.get(tenant, 'k4'))?.content).toBe('answer 4');
    expect((await store.usage(tenant)).entries).toBe(3);

    const size = JSON.stringify(entry('y'.repeat(100))).length;
    const small = randomUUID();
    for (let i = 0; i < 4; i += 1) await store.put(small, `b${i}`, entry('y'.repeat(100)), { ...limits, maxBytes: size * 2 + 10 }, now + i);
    expect((await store.usage(small)).entries).toBe(2);
    expect((await store.usage(small)).bytes).toBeLessThanOrEqual(size * 2 + 10);
    expect(await store.get(small, 'b3')).toBeDefined();
    expect(await store.put(small, 'huge', entry('z'.repeat(10_000)), { ...limits, maxBytes: 1_000 })).toEqual({ stored: false, evicted: 0 });
  });

  it('purges every entry of one tenant and none of another', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await store.put(a, 'k1', entry('a1'), limits);
    await store.put(a, 'k2', entry('a2'), limits);
    await store.put(b, 'k1', entry('b1'), limits);
    expect(await store.purgeTenant(a)).toBe(2);
    expect(await store.get(a, 'k1')).toBeUndefined();
    expect(await store.get(a, 'k2')).toBeUndefined();
    expect((await store.get(b, 'k1'))?.content).toBe('b1');
    expect(await store.usage(a)).toEqual({ entries: 0, bytes: 0 });
  });

  it('purges single entries by key, and says how many of them were there', async () => {
    const tenant = randomUUID();
    await store.put(tenant, 'k1', entry('a1'), limits);
    await store.put(tenant, 'k2', entry('a2'), limits);
    expect(await store.purgeKeys(tenant, ['k1', 'absent'])).toBe(1);
    expect(await store.get(tenant, 'k1')).toBeUndefined();
    expect((await store.get(tenant, 'k2'))?.content).toBe('a2');
    expect(await store.usage(tenant)).toEqual({ entries: 1, bytes: JSON.stringify(entry('a2')).length });
    expect(await store.purgeKeys(tenant, ['k1'])).toBe(0);
    // Another tenant's key of the same name is untouched.
    const other = randomUUID();
    await store.put(other, 'k2', entry('b2'), limits);
    expect(await store.purgeKeys(tenant, ['k2'])).toBe(1);
    expect((await store.get(other, 'k2'))?.content).toBe('b2');
  });

  it("purges every entry a user's requests created, and no one else's", async () => {
    const tenant = randomUUID();
    const [ann, bob] = [randomUUID(), randomUUID()];
    await store.put(tenant, 'ann-1', entry('x'), limits, Date.now(), { userId: ann });
    await store.put(tenant, 'ann-2', entry('y'), limits, Date.now(), { userId: ann });
    await store.put(tenant, 'bob-1', entry('z'), limits, Date.now(), { userId: bob });
    await store.put(tenant, 'nobody', entry('w'), limits);
    // ann's entry replaced by bob's request belongs to bob now.
    await store.put(tenant, 'ann-2', entry('y2'), limits, Date.now(), { userId: bob });
    expect(await store.purgeUser(tenant, ann)).toBe(1);
    expect(await store.get(tenant, 'ann-1')).toBeUndefined();
    expect((await store.get(tenant, 'ann-2'))?.content).toBe('y2');
    expect((await store.usage(tenant)).entries).toBe(3);
    expect(await store.purgeUser(tenant, ann)).toBe(0);
    expect(await store.purgeUser(tenant, bob)).toBe(2);
    expect((await store.get(tenant, 'nobody'))?.content).toBe('w');
    // Evicted and purged entries leave no owner behind.
    expect(await redis.hlen(`${(store as unknown as { prefix: string }).prefix}:rc:{${tenant}}:own`)).toBe(0);
    expect(await store.purgeTenant(tenant)).toBe(1);
    expect(await redis.exists(`${(store as unknown as { prefix: string }).prefix}:rc:{${tenant}}:u:${bob}`)).toBe(0);
  });
});
