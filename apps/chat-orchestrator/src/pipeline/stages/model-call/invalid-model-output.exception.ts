import type { CompleteResult } from '@conduit/llm';
import { ChatErrorCode, ChatException } from '../../../chat/chat.exception';

/**
 * 502 `invalid_model_output` (`conduit.validate_json`: two invalid answers). It carries the last
 * answer with both calls' usage, so the pipeline records the turn as `failed` and bills the calls
 * the provider charged for before the error goes to the client.
 */
export class InvalidModelOutputException extends ChatException {
  constructor(
    message: string,
    readonly result: CompleteResult,
  ) {
    super(ChatErrorCode.InvalidModelOutput, message, { param: 'response_format' });
  }
}
