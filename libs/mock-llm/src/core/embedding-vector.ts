/** 32-bit FNV-1a over UTF-16 code units. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A deterministic unit-length vector for `text`: seeded from the text's hash, so the same
 * input always gives the same vector and different inputs give (almost surely) different ones.
 * Values are float32, so the `float` and `base64` encodings carry identical numbers.
 */
export function embeddingVector(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  // mulberry32 seeded by the hash; `| 1` keeps an all-zero hash from degenerating.
  let state = hashText(text) | 1;
  let sumOfSquares = 0;
  for (let i = 0; i < dimensions; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const value = ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
    vector[i] = value;
    sumOfSquares += value * value;
  }
  const scale = sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 0;
  for (let i = 0; i < dimensions; i++) vector[i] *= scale;
  return vector;
}

/** Little-endian float32 bytes in base64, as OpenAI's `encoding_format: "base64"` returns them. */
export function vectorToBase64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}
