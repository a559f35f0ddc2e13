import { HashingEmbedder } from './hashing.embedder';
import { cosineSimilarity } from './vector-math';

const norm = (v: number[]) => Math.hypot(...v);

describe('HashingEmbedder', () => {
  const embedder = new HashingEmbedder();

  it('is named as the offline hashing model, 384 dimensions by default', () => {
    expect(embedder.model).toBe('hashing-v2');
    expect(embedder.dimension).toBe(384);
  });

  it('is deterministic across calls and instances', async () => {
    const texts = ['The quick brown fox jumps over the lazy dog.', 'Ünïcödé — 日本語のテキスト', ''];
    const a = await embedder.embed(texts);
    const b = await new HashingEmbedder().embed(texts);
    expect(a).toEqual(b);
    expect(embedder.embedText(texts[0])).toEqual(a[0]);
    // a pinned value guards against accidental changes to the feature scheme (that is a new model id)
    expect(a[0].slice(0, 4).map((x) => Number(x.toFixed(6)))).toEqual([0, -0.081467, 0.185327, -0.081467]);
  });

  it('returns one unit-length vector per input, in order', async () => {
    const texts = ['alpha', 'beta gamma', 'a', '', '   ', '!!!', 'x'.repeat(10_000)];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const v of vectors) {
      expect(v).toHaveLength(384);
      expect(norm(v)).toBeCloseTo(1, 10);
      expect(v.every(Number.isFinite)).toBe(true);
    }
    expect(vectors[0]).toEqual(embedder.embedText('alpha'));
    expect(vectors[1]).toEqual(embedder.embedText('beta gamma'));
    expect(await embedder.embed([])).toEqual([]);
  });

  it('honours a configured dimension', async () => {
    const small = new HashingEmbedder({ dimension: 64 });
    const [v] = await small.embed(['dimension check']);
    expect(v).toHaveLength(64);
    expect(norm(v)).toBeCloseTo(1, 10);
    expect(() => new HashingEmbedder({ dimension: 1 })).toThrow(RangeError);
    expect(() => new HashingEmbedder({ dimension: 10.5 })).toThrow(RangeError);
  });

  it('ignores case and Unicode normalisation form', () => {
    expect(embedder.embedText('Café RÉSUMÉ')).toEqual(embedder.embedText('café résumé'));
    expect(embedder.embedText('cafe\u0301')).toEqual(embedder.embedText('caf\u00e9')); // NFD vs NFC
    expect(embedder.embedText('ｆｕｌｌｗｉｄｔｈ')).toEqual(embedder.embedText('fullwidth')); // NFKC
    expect(embedder.embedText('hello,   world!')).toEqual(embedder.embedText('hello world'));
  });

  it('scores similar texts above unrelated ones', () => {
    const sim = (a: string, b: string) => cosineSimilarity(embedder.embedText(a), embedder.embedText(b));
    const query = 'How do I reset my account password?';
    const related = 'To reset your password, open account settings and choose reset password.';
    const unrelated = 'Quarterly revenue grew twelve percent thanks to strong hardware sales.';
    expect(sim(query, related)).toBeGreaterThan(sim(query, unrelated) + 0.2);
    expect(sim(query, query)).toBeCloseTo(1, 10);

    // morphology and typos still overlap through character n-grams
    expect(sim('embeddings', 'embedings')).toBeGreaterThan(0.25);
    expect(sim('embeddings', 'embedings')).toBeGreaterThan(sim('embeddings', 'database') + 0.2);
    expect(sim('running quickly', 'runs quick')).toBeGreaterThan(sim('running quickly', 'blue ocean'));

    // ranking a small corpus puts the on-topic documents first
    const corpus = [
      'The cat sat on the mat and purred.',
      'Kubernetes restarts pods that fail their liveness probe.',
      'A kitten was sitting on the mat, purring.',
      'Interest rates rose again this quarter.',
    ];
    const ranked = corpus
      .map((text, i) => ({ i, score: sim('cat sitting on a mat', text) }))
      .sort((a, b) => b.score - a.score)
      .map((r) => r.i);
    expect(ranked.slice(0, 2).sort()).toEqual([0, 2]);
  });

  it('word order matters a little (bigrams), word choice a lot', () => {
    const sim = (a: string, b: string) => cosineSimilarity(embedder.embedText(a), embedder.embedText(b));
    const swapped = sim('dog bites man', 'man bites dog');
    expect(swapped).toBeLessThan(1);
    expect(swapped).toBeGreaterThan(sim('dog bites man', 'cat chases mouse'));
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embed(['x'], { signal: controller.signal })).rejects.toThrow();
  });
});

describe('HashingEmbedder topical similarity', () => {
  it('ranks a document about the question above an unrelated one even when function words dominate', async () => {
    const embedder = new HashingEmbedder();
    const [question, volcano, baking] = await embedder.embed([
      'What happens in a pyroclastic flow on a stratovolcano?',
      'Pyroclastic flows are fast, hot avalanches of ash and gas that descend the slopes of stratovolcanoes.',
      'Feed the starter with equal weights of flour and water, then bake the loaf in a preheated oven.',
    ]);
    const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);
    expect(dot(question, volcano)).toBeGreaterThan(2 * dot(question, baking));
  });
});
