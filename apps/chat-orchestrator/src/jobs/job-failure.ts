import { isLlmError, LlmUnavailableError } from '@conduit/llm';
import { ChatErrorCode, ChatException } from '../chat/chat.exception';
import { GuardrailException } from '../pipeline/guardrails/guardrails.exception';
import { UsageErrorCode, UsageException } from '../usage/usage.exception';

/** Why a job (or one request of a batch) failed, and whether trying again may help. */
export interface JobFailure {
  code: string;
  message: string;
  retryable: boolean;
}

/** Work that can never succeed (bad stored input, unknown type): failed without retry. */
export class InvalidJobError extends Error {
  override name = 'InvalidJobError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A failure carried out of an executor as is (e.g. a batch with requests still failing transiently). */
export class JobFailureError extends Error {
  override name = 'JobFailureError';

  constructor(readonly failure: JobFailure) {
    super(failure.message);
  }
}

const RETRYABLE_CHAT_CODES: ReadonlySet<string> = new Set([ChatErrorCode.UpstreamUnavailable, ChatErrorCode.AllBreakersOpen, ChatErrorCode.UpstreamError]);

/**
 * Classifies a failure by type and code, never by message text: provider outages and breakers
 * are retried with backoff; requests the provider refused, sessions that are not the caller's and
 * malformed jobs are not. Anything unexpected (database, Redis) is retried, with a message that
 * hides internals.
 */
export function classifyJobError(error: unknown): JobFailure {
  if (error instanceof JobFailureError) return error.failure;
  if (error instanceof InvalidJobError) return { code: error.code, message: error.message, retryable: false };
  // A request the tenant's guardrails refuse is refused again on every attempt.
  if (error instanceof GuardrailException) return { code: error.code, message: error.message, retryable: false };
  if (error instanceof ChatException) return { code: error.code, message: error.message, retryable: RETRYABLE_CHAT_CODES.has(error.code) };
  // An unpriced model stays unpriced for this job; a price list that did not load may load.
  if (error instanceof UsageException) return { code: error.code, message: error.message, retryable: error.code === UsageErrorCode.PricingUnavailable };
  if (error instanceof LlmUnavailableError) {
    return { code: error.code, message: error.message, retryable: error.code !== 'no_provider_configured' };
  }
  if (isLlmError(error)) return { code: error.kind === 'invalid_request' ? 'upstream_rejected' : 'upstream_error', message: error.message, retryable: error.retryable };
  return { code: 'internal_error', message: 'The job failed with an internal error; it is retried.', retryable: true };
}
