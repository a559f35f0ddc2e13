/**
 * Codes of ingestion failures that come from the worker's own ceilings; a failed document's
 * `error` then reads `<code>: <reason>`. Stable: clients may branch on them.
 */
export enum DocumentFailureCode {
  /** The document was still being processed at the deadline (`INGEST_DOCUMENT_DEADLINE_MS`). */
  ProcessingTimeout = 'processing_timeout',
  /** More extracted characters, chunks or memory than the ceilings allow. */
  DocumentTooLarge = 'document_too_large',
  /** Markup nested deeper than `MAX_HTML_DEPTH`. */
  DocumentTooComplex = 'document_too_complex',
}

/** The most work one document may cause; see apps/ingestion-worker/README.md#limits. */
export interface DocumentLimits {
  /** Characters of extracted text (after decoding, before cleaning), `MAX_DOCUMENT_CHARS`. */
  maxChars: number;
  /** Chunks, `MAX_DOCUMENT_CHUNKS`. */
  maxChunks: number;
  /** Open HTML elements at once, `MAX_HTML_DEPTH`. */
  maxHtmlDepth: number;
  /** PDF pages read (the rest are ignored), `MAX_PDF_PAGES`. */
  maxPdfPages: number;
}

/** The document is over one of its {@link DocumentLimits}: never retried, the reason names the limit. */
export class DocumentLimitError extends Error {
  override name = 'DocumentLimitError';
  constructor(
    readonly code: DocumentFailureCode.DocumentTooLarge | DocumentFailureCode.DocumentTooComplex,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown once `characters` exceeds `limits.maxChars`. */
export function checkCharacters(characters: number, maxChars: number | undefined): void {
  if (maxChars !== undefined && characters > maxChars) {
    throw new DocumentLimitError(DocumentFailureCode.DocumentTooLarge, `the document has more than ${maxChars} characters of text (MAX_DOCUMENT_CHARS)`);
  }
}
