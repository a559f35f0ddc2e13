import type { AttemptRecord } from '../gateway/attempt-record';
import { allowsFallback, countsAgainstBreaker, isRetryableKind, type LlmErrorKind } from './llm-error-kind';

export interface LlmErrorInit {
  kind: LlmErrorKind;
  message: string;
  provider: string;
  model: string;
  status?: number;
  /** Defaults to {@link isRetryableKind}; the upstream's `x-should-retry` header may override it. */
  retryable?: boolean;
  retryAfterMs?: number;
  /** Finer machine-readable cause, e.g. `model_not_found`, `stream_incomplete`. */
  code?: string;
  cause?: unknown;
}

/** The one error type every provider call fails with. */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly provider: string;
  readonly model: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly code: string | undefined;
  /** Set by the gateway on errors it rethrows (invalid request, cancelled): every attempt made. */
  attempts: readonly AttemptRecord[] | undefined;

  constructor(init: LlmErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'LlmError';
    this.kind = init.kind;
    this.provider = init.provider;
    this.model = init.model;
    this.status = init.status;
    this.retryable = init.retryable ?? isRetryableKind(init.kind);
    this.retryAfterMs = init.retryAfterMs;
    this.code = init.code;
    this.attempts = undefined;
  }

  /** The gateway may try the next target after this error. */
  get fallbackAllowed(): boolean {
    return allowsFallback(this.kind);
  }

  /** This error says something about the upstream's health (feeds the circuit breaker). */
  get countsAgainstBreaker(): boolean {
    return countsAgainstBreaker(this.kind);
  }
}

export function isLlmError(error: unknown): error is LlmError {
  return error instanceof LlmError;
}
