import type { AttemptRecord } from '../gateway/attempt-record';

/** Why an upstream call failed, normalised across SDKs. */
export const LLM_ERROR_KINDS = [
  'rate_limited',
  'overloaded',
  'server',
  'timeout',
  'connection',
  'cancelled',
  'invalid_request',
  'auth',
  'unknown',
] as const;

export type LlmErrorKind = (typeof LLM_ERROR_KINDS)[number];

/** Transient upstream trouble: worth another attempt on the same target, and a sign of bad health. */
const TRANSIENT: ReadonlySet<LlmErrorKind> = new Set(['rate_limited', 'overloaded', 'server', 'timeout', 'connection']);

/** Kinds that stop the whole call: the caller's fault or the caller's wish. */
const TERMINAL: ReadonlySet<LlmErrorKind> = new Set(['invalid_request', 'cancelled']);

/** Whether a kind is retried on the same target by default. */
export function isRetryableKind(kind: LlmErrorKind): boolean {
  return TRANSIENT.has(kind);
}

/** Whether a failure of this kind counts against the circuit breaker (upstream health). */
export function countsAgainstBreaker(kind: LlmErrorKind): boolean {
  return TRANSIENT.has(kind);
}

/** Whether the gateway may try the next target of the chain after this kind of failure. */
export function allowsFallback(kind: LlmErrorKind): boolean {
  return !TERMINAL.has(kind);
}

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
