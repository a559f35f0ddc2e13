import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startMockLlmServer, type RunningMockLlm } from '@conduit/mock-llm';
import { CachedEmbedder } from './cached.embedder';
import { EmbeddingUsageTally } from './embedding-usage';
import { OpenAiEmbedder } from './openai.embedder';

const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

/** What embedders report for billing: the provider's own token count, per request; cache hits nothing. */
describe('embedding usage reports (mock upstream, real Redis)', () => {
  const model = `test-usage-${randomUUID().slice(0, 8)}`;
  let mock: RunningMockLlm;
  let redis: Redis;

  beforeAll(async () => {
    mock = await startMockLlmServer();
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    const keys = await redis.keys(`emb:${model}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await mock.close();
  });

  const requests = () => mock.state.requests.list().filter((entry) => entry.path === '/v1/embeddings');

  it('reports each request with the prompt_tokens the provider answered', async () => {
    const embedder = new OpenAiEmbedder({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, model, dimensions: 8, batchSize: 2 });
    mock.state.requests.clear();
    const reports: number[] = [];
    await embedder.embed(['alpha beta gamma', 'delta', 'epsilon zeta'], { onUsage: (usage) => reports.push(usage.inputTokens) });
    expect(reports).toEqual(requests().map((r) => r.prompt_tokens));
    expect(reports).toHaveLength(2);
    expect(reports.every((tokens) => tokens > 0)).toBe(true);
  });

  it('reports only what the cache missed, summed per model by the tally', async () => {
    const cached = new CachedEmbedder(new OpenAiEmbedder({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, model, dimensions: 8 }), redis, { ttlSeconds: 600 });
    const first = new EmbeddingUsageTally();
    await cached.embed(['cached once', 'cached twice'], { onUsage: first.add });
    expect(first.usages()).toEqual([{ provider: 'openai', model, inputTokens: expect.any(Number) }]);
    expect(first.usages()[0].inputTokens).toBeGreaterThan(0);

    mock.state.requests.clear();
    const second = new EmbeddingUsageTally();
    await cached.embed(['cached once', 'cached twice'], { onUsage: second.add });
    expect(requests()).toHaveLength(0);
    expect(second.usages()).toEqual([]);
  });
});
