import { EmbeddingUsageTally } from './embedding-usage';
import { HashingEmbedder } from './hashing.embedder';

describe('embedding usage', () => {
  it('the hashing embedder reports its call as local, counting words', async () => {
    const tally = new EmbeddingUsageTally();
    await new HashingEmbedder({ dimension: 16 }).embed(['The refund policy', 'two words'], { onUsage: tally.add });
    expect(tally.usages()).toEqual([{ provider: 'local', model: 'hashing-v2', inputTokens: 5 }]);
  });

  it('reports nothing for no texts', async () => {
    const tally = new EmbeddingUsageTally();
    await new HashingEmbedder({ dimension: 16 }).embed([], { onUsage: tally.add });
    expect(tally.usages()).toEqual([]);
  });

  it('sums reports per provider and model', () => {
    const tally = new EmbeddingUsageTally();
    tally.add({ provider: 'openai', model: 'a', inputTokens: 3 });
    tally.add({ provider: 'openai', model: 'a', inputTokens: 4 });
    tally.add({ provider: 'openai', model: 'b', inputTokens: 1 });
    expect(tally.usages()).toEqual([
      { provider: 'openai', model: 'a', inputTokens: 7 },
      { provider: 'openai', model: 'b', inputTokens: 1 },
    ]);
  });
});
