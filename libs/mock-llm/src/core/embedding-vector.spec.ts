import { embeddingVector, hashText, vectorToBase64 } from './embedding-vector';

const norm = (vector: Float32Array) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));

describe('embeddingVector', () => {
  it('has the requested size and unit length', () => {
    for (const dimensions of [1, 3, 256, 1536]) {
      const vector = embeddingVector('some text', dimensions);
      expect(vector).toHaveLength(dimensions);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
  });

  it('is deterministic per input and differs across inputs', () => {
    expect(Array.from(embeddingVector('alpha', 64))).toEqual(Array.from(embeddingVector('alpha', 64)));
    expect(Array.from(embeddingVector('alpha', 64))).not.toEqual(Array.from(embeddingVector('beta', 64)));
  });

  it('handles the empty string', () => {
    expect(norm(embeddingVector('', 8))).toBeCloseTo(1, 5);
  });
});

describe('hashText', () => {
  it('is FNV-1a 32-bit', () => {
    expect(hashText('')).toBe(0x811c9dc5);
    expect(hashText('a')).toBe(0xe40c292c);
  });
});

describe('vectorToBase64', () => {
  it('encodes little-endian float32 bytes that decode back to the same numbers', () => {
    const vector = embeddingVector('round trip', 16);
    const bytes = Buffer.from(vectorToBase64(vector), 'base64');
    expect(bytes).toHaveLength(16 * 4);
    const decoded = Array.from({ length: 16 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toEqual(Array.from(vector));
  });
});
