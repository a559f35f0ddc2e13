import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { LlmError } from './llm.exception';
import type { LlmErrorKind } from './llm-error-kind';
import { retryAfterMsFromHeaders, shouldRetryHeader, type HeaderReader } from './retry-after';

/** Who was called, and whether our own signal (caller abort or per-attempt timer) ended the call. */
export interface ErrorContext {
  provider: string;
  model: string;
  /** Set when the attempt's signal fired: the SDK then reports a generic abort, we know why. */
  abortCause?: 'cancelled' | 'timeout';
  now?: number;
}

type SdkApiError = InstanceType<typeof Anthropic.APIError> | InstanceType<typeof OpenAI.APIError>;

function isSdkApiError(error: unknown): error is SdkApiError {
  return error instanceof Anthropic.APIError || error instanceof OpenAI.APIError;
}

function kindOfStatus(status: number): LlmErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  // 402: the account cannot pay; another provider may still answer.
  if (status === 402) return 'auth';
  if (status === 408 || status === 504) return 'timeout';
  // 409: lock/conflict on the provider side; the SDKs retry it too.
  if (status === 409) return 'server';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  if (status >= 400) return 'invalid_request';
  return 'unknown';
}

/** Error `type` of an error event sent inside a stream (no HTTP status there). */
const STREAM_ERROR_TYPES: Record<string, LlmErrorKind> = {
  overloaded_error: 'overloaded',
  api_error: 'server',
  server_error: 'server',
  rate_limit_error: 'rate_limited',
  timeout_error: 'timeout',
  authentication_error: 'auth',
  permission_error: 'auth',
  billing_error: 'auth',
  invalid_request_error: 'invalid_request',
  not_found_error: 'invalid_request',
  request_too_large: 'invalid_request',
};

function kindOfApiError(error: SdkApiError): LlmErrorKind {
  if (error instanceof Anthropic.APIConnectionTimeoutError || error instanceof OpenAI.APIConnectionTimeoutError) {
    return 'timeout';
  }
  if (error instanceof Anthropic.APIConnectionError || error instanceof OpenAI.APIConnectionError) return 'connection';
  if (error instanceof Anthropic.APIUserAbortError || error instanceof OpenAI.APIUserAbortError) return 'cancelled';
  if (error.status !== undefined) return kindOfStatus(error.status);
  const type = typeof error.type === 'string' ? error.type : undefined;
  return (type !== undefined ? STREAM_ERROR_TYPES[type] : undefined) ?? 'unknown';
}

/**
 * Errors that did not come from an SDK: fetch reports network failures (refused, reset, a body cut
 * mid-stream: undici's "terminated") as `TypeError` per the fetch spec; an abort we did not cause is
 * an `AbortError`/`TimeoutError` DOMException. Checked by `name`, which also works across realms
 * (jest runs tests in a separate one, where undici's errors are not `instanceof Error`).
 */
function kindOfForeignError(error: unknown): LlmErrorKind {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name === 'TypeError') return 'connection';
  if (name === 'AbortError' || name === 'TimeoutError') return 'timeout';
  return 'unknown';
}

function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

/** Maps anything a provider call threw to an {@link LlmError} (already-mapped errors pass through). */
export function classifyError(error: unknown, context: ErrorContext): LlmError {
  const { provider, model, abortCause } = context;
  if (error instanceof LlmError) return error;
  if (abortCause !== undefined) {
    return new LlmError({
      kind: abortCause,
      provider,
      model,
      message:
        abortCause === 'timeout'
          ? `${provider}/${model}: attempt timed out`
          : `${provider}/${model}: request cancelled by the caller`,
      cause: error,
    });
  }
  if (!isSdkApiError(error)) {
    const message = `${provider}/${model}: ${messageOf(error)}`;
    return new LlmError({ kind: kindOfForeignError(error), provider, model, message, cause: error });
  }
  const kind = kindOfApiError(error);
  const headers = error.headers as HeaderReader | undefined;
  const explicit = shouldRetryHeader(headers);
  const terminal = kind === 'invalid_request' || kind === 'cancelled';
  return new LlmError({
    kind,
    provider,
    model,
    status: error.status,
    // The upstream may veto a retry, or ask for one, except for caller errors.
    retryable: explicit === undefined || terminal ? undefined : explicit,
    retryAfterMs: retryAfterMsFromHeaders(headers, context.now),
    message: `${provider}/${model}: ${error.message}`,
    cause: error,
  });
}
