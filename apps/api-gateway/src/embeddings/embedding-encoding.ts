/**
 * Vectors as the embeddings API returns them. Every vector is rounded to float32 — what OpenAI
 * returns, what `base64` carries and what the cache stores — so a vector is the same whichever
 * encoding was asked for and whether or not it came from the cache.
 */

/** A vector rounded to float32. */
export function toFloat32(vector: readonly number[]): Float32Array {
  return Float32Array.from(vector);
}

/** `encoding_format: "base64"`: the vector's little-endian float32 bytes in base64, as OpenAI sends them. */
export function float32ToBase64(vector: Float32Array): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i], i * 4);
  return bytes.toString('base64');
}

/** The inverse of {@link float32ToBase64} (what OpenAI's clients do with a base64 embedding). */
export function base64ToFloat32(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) throw new RangeError('a base64 embedding must hold whole float32 values');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** `encoding_format: "float"`: the float32 values as JSON numbers. */
export function float32ToArray(vector: Float32Array): number[] {
  return Array.from(vector);
}
