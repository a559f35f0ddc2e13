import { ConduitException } from '@conduit/runtime';

export enum EmbeddingsErrorCode {
  /** No configured embedding model has this name. */
  ModelNotFound = 'model_not_found',
  /** An empty string, an empty list or an empty token array. */
  EmptyInput = 'empty_input',
  /** More inputs than one request may carry. */
  TooManyInputs = 'too_many_inputs',
  /** `dimensions` the model cannot make. */
  DimensionsNotSupported = 'dimensions_not_supported',
  /** Token ids the model's tokenizer does not know. */
  InvalidTokens = 'invalid_tokens',
  /** A body field the embeddings API does not know. */
  UnsupportedParameter = 'unsupported_parameter',
  /** The provider refused the input (its 400 / 413 / 422: e.g. an input longer than the model takes). */
  InputRejected = 'input_rejected',
  /** The embedding provider failed or answered with something unusable. */
  ProviderError = 'embeddings_provider_error',
}

export class EmbeddingsException extends ConduitException<EmbeddingsErrorCode> {}
