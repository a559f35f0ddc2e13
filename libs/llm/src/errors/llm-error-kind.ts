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
