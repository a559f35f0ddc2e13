import { z } from 'zod';
import { coreSettings, serviceEnv } from '@conduit/config';
import { blobStoreEnv, blobStoreSettings } from '@conduit/blob-store';
import { embeddingsEnv, embeddingsSettings } from '@conduit/embeddings';
import { vectorStoreEnv, vectorStoreSettings } from '@conduit/vector-store';

const int = (min: number, max: number, fallback: number) => z.coerce.number().pipe(z.int().min(min).max(max)).default(fallback);

export const ingestionConfigSchema = z
  .object({
    ...serviceEnv(8082),
    ...vectorStoreEnv,
    ...embeddingsEnv,
    ...blobStoreEnv,
    /** Documents processed at once by this process. */
    INGEST_CONCURRENCY: int(1, 64, 2),
    /** Largest chunk in tokens (cl100k_base). */
    CHUNK_TOKENS: int(16, 8_192, 512),
    /** Tokens repeated from the end of a chunk at the start of the next; below CHUNK_TOKENS / 2. */
    CHUNK_OVERLAP_TOKENS: int(0, 4_095, 64),
    /** Pause after each embedded batch, e.g. to stay under an embedding API's rate limit. */
    INGEST_BATCH_PAUSE_MS: int(0, 60_000, 0),
    /** Pages of a PDF that are read. */
    MAX_PDF_PAGES: int(1, 100_000, 2_000),
    /** Characters of extracted text one document may have. */
    MAX_DOCUMENT_CHARS: int(1_000, 500_000_000, 32 * 1024 * 1024),
    /** Chunks one document may make. */
    MAX_DOCUMENT_CHUNKS: int(1, 10_000_000, 100_000),
    /** Open HTML elements at once (browsers stop nesting at 512). */
    MAX_HTML_DEPTH: int(8, 100_000, 512),
    /** How long one document may hold a worker slot (parse, chunk, embed, store) before it fails `processing_timeout`. */
    INGEST_DOCUMENT_DEADLINE_MS: int(1_000, 86_400_000, 300_000),
    /** Heap ceiling of each document processing thread, in MB. */
    INGEST_PROCESSING_MEMORY_MB: int(64, 65_536, 512),
    /** A job whose worker died is taken over after its lock expires and a stalled check runs (BullMQ defaults: 30 s each). */
    INGEST_LOCK_DURATION_MS: int(1_000, 600_000, 30_000),
    INGEST_STALLED_INTERVAL_MS: int(1_000, 600_000, 30_000),
  })
  .refine((env) => env.CHUNK_OVERLAP_TOKENS * 2 < env.CHUNK_TOKENS, {
    path: ['CHUNK_OVERLAP_TOKENS'],
    message: 'must be less than half of CHUNK_TOKENS',
  })
  .transform((env) => ({
    ...coreSettings(env),
    vectorStore: vectorStoreSettings(env),
    embeddings: embeddingsSettings(env),
    blobs: blobStoreSettings(env),
    ingestion: {
      concurrency: env.INGEST_CONCURRENCY,
      chunkTokens: env.CHUNK_TOKENS,
      overlapTokens: env.CHUNK_OVERLAP_TOKENS,
      embedBatchSize: embeddingsSettings(env).batchSize,
      batchPauseMs: env.INGEST_BATCH_PAUSE_MS,
      maxPdfPages: env.MAX_PDF_PAGES,
      maxDocumentChars: env.MAX_DOCUMENT_CHARS,
      maxDocumentChunks: env.MAX_DOCUMENT_CHUNKS,
      maxHtmlDepth: env.MAX_HTML_DEPTH,
      documentDeadlineMs: env.INGEST_DOCUMENT_DEADLINE_MS,
      processingMemoryMb: env.INGEST_PROCESSING_MEMORY_MB,
      lockDurationMs: env.INGEST_LOCK_DURATION_MS,
      stalledIntervalMs: env.INGEST_STALLED_INTERVAL_MS,
    },
  }));

export type IngestionConfig = z.output<typeof ingestionConfigSchema>;
