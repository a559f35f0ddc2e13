export const DOCUMENTS_OPTIONS = Symbol('DOCUMENTS_OPTIONS');

export interface DocumentsOptions {
  /** Largest accepted upload in bytes (`MAX_UPLOAD_BYTES`). */
  maxUploadBytes: number;
  /** The embedding model and dimension new collections are created with (the ingestion worker's). */
  embedding: { model: string; dimension: number };
}
