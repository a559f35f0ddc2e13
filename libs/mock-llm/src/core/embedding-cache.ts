import { embeddingVector, vectorToBase64 } from './embedding-vector';

/**
 * Serialised embeddings (a JSON float array, or a quoted base64 string) for recently seen inputs.
 * Rendering 1536 floats as JSON dominates an embeddings request, and benchmarks repeat inputs,
 * so the most recent `capacity` renderings are kept (oldest evicted first).
 */
export class EmbeddingCache {
  private readonly entries = new Map<string, string>();

  constructor(
    private readonly capacity = 256,
    private readonly maxKeyLength = 4096,
  ) {}

  /** The embedding of `text` as a JSON value. */
  json(text: string, dimensions: number, base64: boolean): string {
    if (text.length > this.maxKeyLength) return render(text, dimensions, base64);
    const key = `${dimensions}${base64 ? 'b' : 'f'}${text}`;
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
    const json = render(text, dimensions, base64);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, json);
    return json;
  }
}

function render(text: string, dimensions: number, base64: boolean): string {
  const vector = embeddingVector(text, dimensions);
  return base64 ? `"${vectorToBase64(vector)}"` : JSON.stringify(Array.from(vector));
}
