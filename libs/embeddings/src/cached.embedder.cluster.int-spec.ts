import type { Redis } from 'ioredis';
import { createRedisConnection } from '@conduit/queue';
import { redisBinariesPresent, startRedisCluster, type RunningRedis } from '@conduit/queue/testing';
import { CachedEmbedder } from './cached.embedder';
import { HashingEmbedder } from './hashing.embedder';

const present = redisBinariesPresent();
if (!present) process.stderr.write('cached.embedder.cluster.int-spec: redis-server/redis-cli not on PATH: skipped\n');

/** REDIS_MODE=cluster: one call's keys are in many slots; the cache still reads and writes them. */
(present ? describe : describe.skip)('CachedEmbedder on a real three-master Redis Cluster', () => {
  let cluster: RunningRedis;
  let redis: Redis;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    redis = createRedisConnection(`redis://127.0.0.1:${cluster.ports[0]}`, { maxRetriesPerRequest: 2 }, {
      mode: 'cluster',
      nodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
    });
  }, 120_000);

  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it('serves the second call of the same texts from the cache, without an error', async () => {
    const inner = new HashingEmbedder({ dimension: 32 });
    const calls: string[][] = [];
    const embed = inner.embed.bind(inner);
    jest.spyOn(inner, 'embed').mockImplementation(async (texts, options) => {
      calls.push([...texts]);
      return embed(texts, options);
    });
    const errors: Error[] = [];
    const cached = new CachedEmbedder(inner, redis, { ttlSeconds: 60, keyPrefix: `emb-cluster-${Date.now()}`, onCacheError: (e) => errors.push(e) });
    const texts = Array.from({ length: 20 }, (_, n) => `text number ${n}`);
    const first = await cached.embed(texts);
    const second = await cached.embed(texts);
    expect(second).toEqual(first);
    expect(calls).toEqual([texts]);
    expect(errors).toEqual([]);
    const slots = new Set(await Promise.all(texts.map((text) => redis.call('CLUSTER', 'KEYSLOT', cached.keyFor(text)))));
    expect(slots.size).toBeGreaterThan(1);
  });
});
