import type { EmbedOptions, Embedder } from './embedder';
import { EmbeddingError } from './embedding.exception';
import { throwIfAborted } from './vector-math';

export interface EmbedBatchProgress {
  /** 0-based index of the batch just embedded. */
  batch: number;
  batches: number;
  /** Texts embedded so far, including this batch. */
  done: number;
  total: number;
  /** Offset of this batch's first text in the input. */
  offset: number;
  /** The batch's vectors, in input order. */
  vectors: number[][];
}

/**
 * Embeds `texts` in consecutive batches of `batchSize` (one embedder call each, one at a time) and
 * calls `onBatch` after each, e.g. to upsert the batch and report ingestion progress. Resolves to
 * all vectors in input order. An `onBatch` that rejects stops the run.
 */
export async function batchEmbed(
  embedder: Embedder,
  texts: readonly string[],
  batchSize: number,
  onBatch?: (progress: EmbedBatchProgress) => void | Promise<void>,
  options: EmbedOptions = {},
): Promise<number[][]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchEmbed: batchSize must be a positive integer, got ${batchSize}`);
  const batches = Math.ceil(texts.length / batchSize);
  const out: number[][] = [];
  for (let batch = 0; batch < batches; batch++) {
    throwIfAborted(options.signal);
    const offset = batch * batchSize;
    const slice = texts.slice(offset, offset + batchSize);
    const vectors = await embedder.embed(slice, options);
    if (vectors.length !== slice.length) {
      throw new EmbeddingError(`${embedder.model} returned ${vectors.length} vectors for a batch of ${slice.length}`);
    }
    out.push(...vectors);
    await onBatch?.({ batch, batches, done: out.length, total: texts.length, offset, vectors });
  }
  return out;
}
