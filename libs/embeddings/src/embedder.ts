import type { EmbeddingUsage } from './embedding-usage';

export interface EmbedOptions {
  signal?: AbortSignal;
  /**
   * Called once per call the embedder actually makes (a provider request, or a local computation),
   * with what it consumed; vectors served from a cache cost nothing and report nothing.
   */
  onUsage?: (usage: EmbeddingUsage) => void;
}

/** Turns texts into vectors. Implementations: OpenAI-compatible API, and an offline feature-hashing embedder. */
export interface Embedder {
  /** Model id recorded per collection, e.g. `text-embedding-3-small` or `hashing-v2`. */
  readonly model: string;
  readonly dimension: number;
  /** One vector per input text, same order, L2-normalised. */
  embed(texts: string[], options?: EmbedOptions): Promise<number[][]>;
}
