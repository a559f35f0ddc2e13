import { LlmError } from './llm.exception';

/**
 * The route's primary target cannot carry a request field (e.g. `seed` to Anthropic): refused
 * before any call, never retried and never answered by a fallback that would drop the field.
 */
export class LlmUnsupportedParameterError extends LlmError {
  constructor(
    /** The field, as the client named it (`seed`, `metadata.team`, `n`). */
    readonly param: string,
    provider: string,
    model: string,
  ) {
    super({
      kind: 'invalid_request',
      code: 'unsupported_parameter',
      provider,
      model,
      message: `${param} is not supported by provider ${provider} (model ${model})`,
    });
    this.name = 'LlmUnsupportedParameterError';
  }
}
