import { ConduitException } from '@conduit/runtime';

export enum RetrievalErrorCode {
  /** The tenant has no collection of that name. */
  CollectionNotFound = 'collection_not_found',
  /** The collection's vectors come from another embedding model or dimension than the configured embedder. */
  EmbeddingModelMismatch = 'embedding_model_mismatch',
  InvalidRetrievalRequest = 'invalid_retrieval_request',
}

/** Raised by {@link Retriever}; maps to HTTP through any Conduit error filter. */
export class RetrievalException extends ConduitException<RetrievalErrorCode> {
  static collectionNotFound(name: string): RetrievalException {
    return new RetrievalException(RetrievalErrorCode.CollectionNotFound, `No collection named '${name}'.`, { param: 'collection' });
  }

  static modelMismatch(name: string, stored: string, current: string): RetrievalException {
    return new RetrievalException(RetrievalErrorCode.EmbeddingModelMismatch,
      `Collection '${name}' was embedded with ${stored} but queries are embedded with ${current}; they cannot be compared.`,
      { param: 'collection' },
    );
  }

  static invalid(message: string, param: string): RetrievalException {
    return new RetrievalException(RetrievalErrorCode.InvalidRetrievalRequest, message, { param });
  }
}
