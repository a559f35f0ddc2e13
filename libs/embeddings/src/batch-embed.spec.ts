import { batchEmbed, type EmbedBatchProgress } from './batch-embed';
import type { Embedder } from './embedder';
import { HashingEmbedder } from './hashing.embedder';

function recording(inner: Embedder) {
  const calls: string[][] = [];
  const embedder: Embedder = {
    model: inner.model,
    dimension: inner.dimension,
    embed: async (texts, options) => {
      calls.push([...texts]);
      return inner.embed(texts, options);
    },
  };
  return { embedder, calls };
}

describe('batchEmbed', () => {
  const hashing = new HashingEmbedder({ dimension: 16 });
  const texts = Array.from({ length: 7 }, (_, i) => `text number ${i}`);

  it('embeds in consecutive batches, reporting progress per batch, vectors in input order', async () => {
    const { embedder, calls } = recording(hashing);
    const progress: Omit<EmbedBatchProgress, 'vectors'>[] = [];
    const vectors = await batchEmbed(embedder, texts, 3, ({ vectors: v, ...rest }) => {
      expect(v).toHaveLength(rest.batch < 2 ? 3 : 1);
      progress.push(rest);
    });
    expect(calls).toEqual([texts.slice(0, 3), texts.slice(3, 6), texts.slice(6)]);
    expect(progress).toEqual([
      { batch: 0, batches: 3, done: 3, total: 7, offset: 0 },
      { batch: 1, batches: 3, done: 6, total: 7, offset: 3 },
      { batch: 2, batches: 3, done: 7, total: 7, offset: 6 },
    ]);
    expect(vectors).toEqual(await hashing.embed(texts));
  });

  it('waits for an async onBatch and stops when it rejects', async () => {
    const { embedder, calls } = recording(hashing);
    await expect(
      batchEmbed(embedder, texts, 2, async ({ batch }) => {
        if (batch === 1) throw new Error('upsert failed');
      }),
    ).rejects.toThrow('upsert failed');
    expect(calls).toHaveLength(2);
  });

  it('handles no texts and rejects a bad batch size', async () => {
    const onBatch = jest.fn();
    expect(await batchEmbed(hashing, [], 4, onBatch)).toEqual([]);
    expect(onBatch).not.toHaveBeenCalled();
    await expect(batchEmbed(hashing, texts, 0)).rejects.toThrow(RangeError);
  });

  it('rejects an embedder that returns the wrong number of vectors', async () => {
    const broken: Embedder = { model: 'broken', dimension: 2, embed: async () => [[1, 0]] };
    await expect(batchEmbed(broken, ['a', 'b'], 2)).rejects.toThrow(/returned 1 vectors for a batch of 2/);
  });

  it('stops between batches when aborted', async () => {
    const controller = new AbortController();
    const { embedder, calls } = recording(hashing);
    await expect(batchEmbed(embedder, texts, 2, () => controller.abort(), { signal: controller.signal })).rejects.toThrow();
    expect(calls).toHaveLength(1);
  });
});
