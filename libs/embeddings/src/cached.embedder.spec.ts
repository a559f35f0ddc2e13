import type { Redis } from 'ioredis';
import { CachedEmbedder, decodeVector, encodeVector } from './cached.embedder';
import { HashingEmbedder } from './hashing.embedder';

describe('vector encoding', () => {
  it('round-trips as little-endian float32', () => {
    const buffer = encodeVector([1, -0.5, 0.1]);
    expect(buffer).toHaveLength(12);
    expect(buffer.readFloatLE(0)).toBe(1);
    expect(decodeVector(buffer)).toEqual([1, -0.5, Math.fround(0.1)]);
  });
});

describe('CachedEmbedder without a usable Redis', () => {
  it('keys by model, dimension and sha256 of the text', () => {
    const cached = new CachedEmbedder(new HashingEmbedder({ dimension: 8 }), {} as Redis);
    expect(cached.keyFor('abc')).toBe('emb:hashing-v2:8:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('falls back to the inner embedder when the connection is down', async () => {
    const redis = { status: 'reconnecting', mgetBuffer: jest.fn(), pipeline: jest.fn() } as unknown as Redis;
    const inner = new HashingEmbedder({ dimension: 8 });
    const vectors = await new CachedEmbedder(inner, redis).embed(['a', 'b']);
    expect(vectors).toHaveLength(2);
    expect(vectors[0][0]).toBeCloseTo(inner.embedText('a')[0], 6);
    expect(redis.mgetBuffer).not.toHaveBeenCalled();
  });

  it('reports Redis errors and still answers', async () => {
    const failure = new Error('READONLY');
    const redis = {
      status: 'ready',
      mgetBuffer: jest.fn().mockRejectedValue(failure),
      pipeline: () => ({ set: jest.fn(), exec: jest.fn().mockResolvedValue([[failure, null]]) }),
    } as unknown as Redis;
    const errors: Error[] = [];
    const vectors = await new CachedEmbedder(new HashingEmbedder({ dimension: 8 }), redis, { onCacheError: (e) => errors.push(e) }).embed(['a']);
    expect(vectors).toHaveLength(1);
    expect(errors).toEqual([failure, failure]);
  });

  it('rejects a TTL below one second', () => {
    expect(() => new CachedEmbedder(new HashingEmbedder(), {} as Redis, { ttlSeconds: 0 })).toThrow(RangeError);
  });
});
