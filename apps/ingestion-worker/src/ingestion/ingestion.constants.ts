/** Injection token of the embedder documents are embedded with (cached over the configured one). */
export const INGEST_EMBEDDER = Symbol('INGEST_EMBEDDER');
/** Injection token of {@link IngestionOptions}. */
export const INGESTION_OPTIONS = Symbol('INGESTION_OPTIONS');

export interface IngestionOptions {
  /** Largest chunk in tokens (cl100k_base). */
  chunkTokens: number;
  /** Tokens repeated from the end of one chunk at the start of the next. */
  overlapTokens: number;
  /** Chunks embedded and upserted per batch; each batch is committed on its own (resume point). */
  embedBatchSize: number;
  /** Pause after each batch (rate limiting a paid embedding API); 0 for none. */
  batchPauseMs: number;
  /** Pages of a PDF that are read; the rest are ignored. */
  maxPdfPages: number;
  /** Characters of extracted text a document may have (`document_too_large` past it). */
  maxDocumentChars: number;
  /** Chunks a document may make (`document_too_large` past it). */
  maxDocumentChunks: number;
  /** Open HTML elements at once (`document_too_complex` past it). */
  maxHtmlDepth: number;
  /** How long one run of one document may take before it fails with `processing_timeout`. */
  documentDeadlineMs: number;
  /** Heap ceiling of a document processing thread, in MB (`document_too_large` past it). */
  processingMemoryMb: number;
}
