import { isLlmError, LlmUnavailableError, LlmUnsupportedParameterError } from '@conduit/llm';
import { ChatErrorCode, ChatException } from './chat.exception';

/**
 * Turns LLM-layer failures into API errors: the caller learns what happened (every provider
 * failed, breakers open, the provider refused the request) without provider internals.
 */
export function toChatException(error: unknown): unknown {
  if (error instanceof LlmUnavailableError) {
    switch (error.code) {
      case 'all_breakers_open':
        return new ChatException(
          ChatErrorCode.AllBreakersOpen,
          `Every provider for "${error.requested}" is failing; retry later.`,
          { attempts: error.attempts.length },
          { 'retry-after': String(Math.max(1, Math.ceil((error.retryAfterMs ?? 1_000) / 1_000))) },
        );
      case 'no_provider_configured':
        return new ChatException(ChatErrorCode.NoProvider, `No configured provider can serve "${error.requested}".`);
      case 'upstream_unavailable':
        return new ChatException(
          ChatErrorCode.UpstreamUnavailable,
          `Every provider for "${error.requested}" failed (${error.attempts.length} attempt(s)); last error: ${error.lastError?.kind ?? 'unknown'}.`,
          { attempts: error.attempts.length },
        );
    }
  }
  if (error instanceof LlmUnsupportedParameterError) {
    return new ChatException(ChatErrorCode.UnsupportedParameter, `${error.message}. Remove it, or route the request to a provider that supports it.`, {
      param: error.param,
    });
  }
  if (isLlmError(error)) {
    if (error.kind === 'invalid_request' && error.code === 'unsupported_parameter') {
      return new ChatException(ChatErrorCode.UnsupportedParameter, error.message, { param: 'response_format' });
    }
    if (error.kind === 'invalid_request') {
      return new ChatException(ChatErrorCode.UpstreamRejected, `The provider rejected the request: ${error.message}`);
    }
    return new ChatException(ChatErrorCode.UpstreamError, `The provider failed mid-answer (${error.kind}).`);
  }
  return error;
}
