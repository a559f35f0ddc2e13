import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startMockLlmServer, type RunningMockLlm } from '@conduit/mock-llm';
import { CachedEmbedder } from './cached.embedder';
import { OpenAiEmbedder } from './openai.embedder';

const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

describe('CachedEmbedder on Redis, in front of the mock upstream', () => {
  const model = `test-emb-${randomUUID().slice(0, 8)}`; // a fresh key space per run
  let mock: RunningMockLlm;
  let redis: Redis;
  let inner: OpenAiEmbedder;
  let innerCalls: string[][];
  let cached: CachedEmbedder;

  beforeAll(async () => {
    mock = await startMockLlmServer();
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    inner = new OpenAiEmbedder({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, model, dimensions: 16 });
    const embed = inner.embed.bind(inner);
    innerCalls = [];
    jest.spyOn(inner, 'embed').mockImplementation(async (texts, options) => {
      innerCalls.push([...texts]);
      return embed(texts, options);
    });
    cached = new CachedEmbedder(inner, redis, { ttlSeconds: 600 });
  });

  afterAll(async () => {
    const keys = await redis.keys(`emb:${model}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await mock.close();
  });

  const embeddingRequests = () => mock.state.requests.list().filter((entry) => entry.path === '/v1/embeddings').length;

  it('stores misses as float32 buffers under emb:<model>:<dimension>:<sha256> with the TTL', async () => {
    const before = embeddingRequests();
    const vectors = await cached.embed(['alpha', 'beta', 'gamma']);
    expect(vectors).toHaveLength(3);
    expect(embeddingRequests()).toBe(before + 1);
    expect(innerCalls.at(-1)).toEqual(['alpha', 'beta', 'gamma']);

    const key = cached.keyFor('alpha');
    expect(key).toMatch(new RegExp(`^emb:${model}:16:[0-9a-f]{64}$`));
    const stored = (await redis.getBuffer(key)) ?? Buffer.alloc(0);
    expect(stored).toHaveLength(16 * 4);
    expect(Array.from({ length: 16 }, (_, i) => stored.readFloatLE(i * 4))).toEqual(vectors[0]);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('answers a repeated call from the cache without calling the upstream', async () => {
    const first = await cached.embed(['delta', 'epsilon']);
    const requests = embeddingRequests();
    const calls = innerCalls.length;
    const second = await cached.embed(['delta', 'epsilon']);
    expect(second).toEqual(first);
    expect(embeddingRequests()).toBe(requests);
    expect(innerCalls).toHaveLength(calls);
  });

  it('on partial hits embeds only the misses, deduplicated, in one call, keeping the input order', async () => {
    const warm = await cached.embed(['one', 'two']);
    const requests = embeddingRequests();
    const mixed = await cached.embed(['one', 'three', 'two', 'four', 'three']);
    expect(embeddingRequests()).toBe(requests + 1);
    expect(innerCalls.at(-1)).toEqual(['three', 'four']);
    expect(mixed[0]).toEqual(warm[0]);
    expect(mixed[2]).toEqual(warm[1]);
    expect(mixed[4]).toEqual(mixed[1]);
    const direct = await inner.embed(['three', 'four']);
    direct[0].forEach((x, i) => expect(mixed[1][i]).toBeCloseTo(x, 6));
    direct[1].forEach((x, i) => expect(mixed[3][i]).toBeCloseTo(x, 6));
  });

  it('treats a malformed entry as a miss and repairs it', async () => {
    await cached.embed(['zeta']);
    await redis.set(cached.keyFor('zeta'), Buffer.from([1, 2, 3]), 'EX', 60);
    const requests = embeddingRequests();
    const [v] = await cached.embed(['zeta']);
    expect(v).toHaveLength(16);
    expect(embeddingRequests()).toBe(requests + 1);
    expect(await redis.getBuffer(cached.keyFor('zeta'))).toHaveLength(64);
  });

  it('keeps models and dimensions apart', async () => {
    const other = new OpenAiEmbedder({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, model, dimensions: 8 });
    const otherCached = new CachedEmbedder(other, redis, { ttlSeconds: 600 });
    expect(otherCached.keyFor('alpha')).not.toBe(cached.keyFor('alpha'));
    const requests = embeddingRequests();
    const [v] = await otherCached.embed(['alpha']);
    expect(v).toHaveLength(8);
    expect(embeddingRequests()).toBe(requests + 1);
  });
});
