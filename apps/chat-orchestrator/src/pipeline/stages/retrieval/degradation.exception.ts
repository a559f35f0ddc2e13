import { ConduitException } from '@conduit/runtime';

export enum DegradationErrorCode {
  /** The vector store (or the query embedder) is down and the tenant's policy is `degradation.retrieval: fail`. */
  RetrievalUnavailable = 'retrieval_unavailable',
}

/** A secondary system the request needs is down, and the tenant chose to fail rather than go on without it. */
export class DegradationException extends ConduitException<DegradationErrorCode> {
  static retrievalUnavailable(collection: string): DegradationException {
    return new DegradationException(
      DegradationErrorCode.RetrievalUnavailable,
      `Retrieval from collection '${collection}' is unavailable right now; try again later. ` +
        '(A tenant admin can choose to answer without documents instead: policy degradation.retrieval = answer_without.)',
      { param: 'conduit.collection' },
    );
  }
}
