import { UnrecoverableError } from 'bullmq';

/**
 * A document that can never be ingested as it is (unparsable, no text, blob missing, collection
 * embedded with another model). The message is shown to the uploader as the document's `error`.
 */
export class DocumentRejectedError extends UnrecoverableError {
  override name = 'DocumentRejectedError';
}

/** The longest `error` text stored on a document. */
export const MAX_ERROR_LENGTH = 1_000;

/** A caller-safe, bounded reason for a document's `error` column. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const text = error instanceof DocumentRejectedError ? message : `${error instanceof Error ? error.name : 'Error'}: ${message}`;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
