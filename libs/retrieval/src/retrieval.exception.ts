import { ConduitException } from '@conduit/runtime';

export enum RetrievalErrorCode {
  /** The tenant has no collection of that name. */
  CollectionNotFound = 'collection_not_found',
  /** The collection's vectors come from another embedding model or dimension than the configured embedder. */
  EmbeddingModelMismatch = 'embedding_model_mismatch',
  InvalidRetrievalRequest = 'invalid_retrieval_request',
}

/** Raised by {@link Retriever}; maps to HTTP through any Conduit error filter. */
export class RetrievalException extends ConduitException {
  constructor(code: RetrievalErrorCode, status: number, message: string, details?: Record<string, unknown>) {
    super(code, status, message, details);
  }

  static collectionNotFound(name: string): RetrievalException {
    return new RetrievalException(RetrievalErrorCode.CollectionNotFound, 404, `No collection named '${name}'.`, { param: 'collection' });
  }

  static modelMismatch(name: string, stored: string, current: string): RetrievalException {
    return new RetrievalException(
      RetrievalErrorCode.EmbeddingModelMismatch,
      409,
      `Collection '${name}' was embedded with ${stored} but queries are embedded with ${current}; they cannot be compared.`,
      { param: 'collection' },
    );
  }

  static invalid(message: string, param: string): RetrievalException {
    return new RetrievalException(RetrievalErrorCode.InvalidRetrievalRequest, 400, message, { param });
  }
}
