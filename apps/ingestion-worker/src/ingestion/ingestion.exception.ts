import { UnrecoverableError } from 'bullmq';
import { DocumentFailureCode } from '../processing/document-limits';

/**
 * A document that can never be ingested as it is (unparsable, no text, blob missing, collection
 * embedded with another model, over a limit). The message is shown to the uploader as the
 * document's `error`, after the code when there is one.
 */
export class DocumentRejectedError extends UnrecoverableError {
  override name = 'DocumentRejectedError';
  constructor(
    message: string,
    readonly code?: DocumentFailureCode,
  ) {
    super(message);
  }
}

/** The run passed `INGEST_DOCUMENT_DEADLINE_MS`: the document fails and the worker takes the next one. */
export class ProcessingTimeoutError extends DocumentRejectedError {
  override name = 'ProcessingTimeoutError';
  constructor(deadlineMs: number) {
    super(
      `the document was still being processed after ${deadlineMs / 1_000} s (INGEST_DOCUMENT_DEADLINE_MS); split it into smaller documents`,
      DocumentFailureCode.ProcessingTimeout,
    );
  }
}

/** The longest `error` text stored on a document. */
export const MAX_ERROR_LENGTH = 1_000;

/** A caller-safe, bounded reason for a document's `error` column: `<code>: <reason>` for coded failures. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const text =
    error instanceof DocumentRejectedError
      ? error.code
        ? `${error.code}: ${message}`
        : message
      : `${error instanceof Error ? error.name : 'Error'}: ${message}`;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
