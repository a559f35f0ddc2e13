import { ConduitException } from '@conduit/runtime';

export enum DocumentsErrorCode {
  /** The document does not exist or is not the caller's (never 403: existence is not revealed). */
  DocumentNotFound = 'document_not_found',
  /** `after` names no document of the caller. */
  InvalidCursor = 'invalid_cursor',
  /** The request is not `multipart/form-data`. */
  MultipartRequired = 'multipart_required',
  /** No `file` part, an unexpected part, more than one file, or a malformed multipart body (no boundary, cut short). */
  InvalidUpload = 'invalid_upload',
  EmptyFile = 'empty_file',
  FileTooLarge = 'file_too_large',
  /** The content is not PDF, HTML, Markdown or UTF-8 text (whatever the name says). */
  UnsupportedMediaType = 'unsupported_media_type',
  /** The collection holds vectors of another embedding model or dimension. */
  EmbeddingModelMismatch = 'embedding_model_mismatch',
  /** Reindex asked while ingestion is still running. */
  DocumentBusy = 'document_busy',
  /** The ingestion queue or the vector store did not answer; nothing was changed. */
  DependencyUnavailable = 'dependency_unavailable',
  /** The collection does not exist or the caller does not see it (another user's private one). */
  CollectionNotFound = 'collection_not_found',
  /** The caller already has a collection of that name in that visibility. */
  CollectionExists = 'collection_exists',
}

export class DocumentsException extends ConduitException<DocumentsErrorCode> {
  static notFound(id: string): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.DocumentNotFound, `No document found with id '${id}'.`, { param: 'id' });
  }

  static collectionNotFound(id: string): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.CollectionNotFound, `No collection found with id '${id}'.`, { param: 'id' });
  }

  static collectionExists(name: string, visibility: string): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.CollectionExists, `A ${visibility} collection named '${name}' already exists.`, { param: 'name' });
  }

  static invalidCursor(): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.InvalidCursor, "'after' does not name one of your documents.", { param: 'after' });
  }

  static multipartRequired(): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.MultipartRequired,
      'Upload documents as multipart/form-data with a `file` part and a `collection` field.',
    );
  }

  static invalidUpload(message: string, param: string | null = null): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.InvalidUpload, message, { param });
  }

  static emptyFile(): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.EmptyFile, 'The uploaded file is empty.', { param: 'file' });
  }

  static fileTooLarge(maxBytes: number): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.FileTooLarge, `The uploaded file is larger than the limit of ${maxBytes} bytes.`, {
      param: 'file',
    });
  }

  static unsupportedMediaType(reason: string): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.UnsupportedMediaType,
      `Unsupported file content: ${reason}. Upload PDF, HTML, Markdown or UTF-8 text (detected from the content, not the name).`,
      { param: 'file' },
    );
  }

  static embeddingModelMismatch(collection: string, stored: { model: string; dimension: number }, current: { model: string; dimension: number }) {
    return new DocumentsException(DocumentsErrorCode.EmbeddingModelMismatch,
      `Collection '${collection}' holds ${stored.model} embeddings (${stored.dimension} dimensions) but this deployment embeds with ` +
        `${current.model} (${current.dimension} dimensions); one collection never mixes models. Upload to another collection.`,
      { param: 'collection' },
    );
  }

  static busy(id: string, status: string): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.DocumentBusy,
      `Document '${id}' is still being ingested (status '${status}'); reindex it once it is indexed or failed.`,
      { param: 'id' },
    );
  }

  static unavailable(what: string): DocumentsException {
    return new DocumentsException(DocumentsErrorCode.DependencyUnavailable, `The ${what} is unavailable; nothing was changed. Try again later.`);
  }
}
