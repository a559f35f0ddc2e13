import { EmbeddingCache } from './embedding-cache';
import { embeddingVector, vectorToBase64 } from './embedding-vector';

describe('EmbeddingCache', () => {
  it('renders float arrays and quoted base64 that match the vector', () => {
    const cache = new EmbeddingCache();
    const vector = embeddingVector('hello', 8);
    expect(JSON.parse(cache.json('hello', 8, false))).toEqual(Array.from(vector));
    expect(JSON.parse(cache.json('hello', 8, true))).toBe(vectorToBase64(vector));
  });

  it('keys on text, dimensions and encoding', () => {
    const cache = new EmbeddingCache();
    expect(cache.json('a', 4, false)).toBe(cache.json('a', 4, false));
    expect(cache.json('a', 4, false)).not.toBe(cache.json('b', 4, false));
    expect(JSON.parse(cache.json('a', 5, false))).toHaveLength(5);
  });

  it('stays correct past its capacity and for uncached long inputs', () => {
    const cache = new EmbeddingCache(2, 3);
    for (const text of ['a', 'b', 'c', 'a', 'long text']) {
      expect(JSON.parse(cache.json(text, 4, false))).toEqual(Array.from(embeddingVector(text, 4)));
    }
  });
});
