/** Turns texts into vectors. Implementations: OpenAI-compatible API, and an offline feature-hashing embedder. */
export interface Embedder {
  /** Model id recorded per collection, e.g. `text-embedding-3-small` or `hashing-v2`. */
  readonly model: string;
  readonly dimension: number;
  /** One vector per input text, same order, L2-normalised. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
}
