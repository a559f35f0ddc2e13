import { z } from 'zod';

const int = (min: number, max: number, fallback: number) => z.coerce.number().pipe(z.int().min(min).max(max)).default(fallback);

/**
 * Async job variables shared by the gateway (which enqueues a job when it is submitted) and the
 * orchestrator (which re-enqueues jobs it recovers): both must enqueue with the same retry policy.
 */
export const jobsEnv = {
  /** Executions of a job before it is dead-lettered (transient provider failures are retried). */
  JOBS_MAX_ATTEMPTS: int(1, 50, 5),
  /** First retry delay; doubles per attempt. */
  JOBS_RETRY_DELAY_MS: int(1, 3_600_000, 2_000),
  /** Deadline of a job that names none (`timeout_seconds`). */
  JOBS_DEFAULT_TIMEOUT_S: int(1, 7 * 86_400, 3_600),
  /** Largest `timeout_seconds` a client may ask for. */
  JOBS_MAX_TIMEOUT_S: int(1, 7 * 86_400, 86_400),
};

export interface JobsSettings {
  maxAttempts: number;
  retryDelayMs: number;
  defaultTimeoutS: number;
  maxTimeoutS: number;
}

export function jobsSettings(env: { JOBS_MAX_ATTEMPTS: number; JOBS_RETRY_DELAY_MS: number; JOBS_DEFAULT_TIMEOUT_S: number; JOBS_MAX_TIMEOUT_S: number }): JobsSettings {
  return {
    maxAttempts: env.JOBS_MAX_ATTEMPTS,
    retryDelayMs: env.JOBS_RETRY_DELAY_MS,
    defaultTimeoutS: env.JOBS_DEFAULT_TIMEOUT_S,
    maxTimeoutS: Math.max(env.JOBS_MAX_TIMEOUT_S, env.JOBS_DEFAULT_TIMEOUT_S),
  };
}
