import { abortableSleep, type Sleep } from './clock';

/** Exponential backoff with full jitter, bounded; `retry-after` hints are honoured up to a cap. */
export interface BackoffPolicy {
  /** Ceiling of the first retry's delay; doubles each retry. */
  baseDelayMs: number;
  /** Largest backoff ceiling. */
  maxDelayMs: number;
  /** Largest wait granted to an upstream's `retry-after`. */
  maxRetryAfterMs: number;
}

/**
 * Full-jitter backoff before retry number `retry` (0 = the first retry):
 * uniform in `[0, min(maxDelayMs, baseDelayMs * 2^retry))`.
 */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** The wait before retry number `retry`: the jittered backoff, but at least `retryAfterMs` (capped). */
export function retryDelayMs(
  retry: number,
  policy: BackoffPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const jittered = backoffDelayMs(retry, policy, random);
  if (retryAfterMs === undefined) return jittered;
  return Math.min(policy.maxRetryAfterMs, Math.max(jittered, retryAfterMs));
}

export interface RetryEvent {
  error: unknown;
  /** The try that just failed (1-based). */
  attempt: number;
  delayMs: number;
}

export interface RetryOptions extends BackoffPolicy {
  /** Total tries, including the first. */
  maxAttempts: number;
  signal?: AbortSignal;
  /** Whether `error` from try `attempt` deserves another try. */
  shouldRetry(error: unknown, attempt: number): boolean;
  /** The upstream's requested wait carried by `error`, if any. */
  retryAfterMs?(error: unknown): number | undefined;
  onRetry?(event: RetryEvent): void;
  /** What to throw when the signal fires between tries (default: the signal's reason). */
  abortError?(): unknown;
  random?: () => number;
  sleep?: Sleep;
}

/**
 * Calls `fn` until it resolves, the error is not retryable, or `maxAttempts` tries were made (the
 * last error is rethrown). Aborting `signal` ends a backoff wait at once.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { signal } = options;
  const sleep = options.sleep ?? abortableSleep;
  const aborted = () => (options.abortError ? options.abortError() : signal?.reason);
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw aborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.maxAttempts || signal?.aborted || !options.shouldRetry(error, attempt)) throw error;
      const delayMs = retryDelayMs(attempt - 1, options, options.retryAfterMs?.(error), options.random);
      options.onRetry?.({ error, attempt, delayMs });
      try {
        await sleep(delayMs, signal);
      } catch {
        throw aborted();
      }
    }
  }
}
