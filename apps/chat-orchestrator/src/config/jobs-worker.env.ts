import { z } from 'zod';
import { jobsEnv, jobsSettings } from '@conduit/jobs';
import type { JobsWorkerSettings } from '../jobs/jobs.constants';

const int = (min: number, max: number, fallback: number) => z.coerce.number().pipe(z.int().min(min).max(max)).default(fallback);

/** Variables of the async-job worker (`job.execute`). */
export const jobsWorkerEnv = {
  ...jobsEnv,
  /** Jobs run at once by this process. */
  JOBS_CONCURRENCY: int(1, 1_024, 16),
  /** Requests of one `chat.batch` run at once. */
  JOBS_BATCH_CONCURRENCY: int(1, 64, 4),
  /** BullMQ lock of a running job; a killed worker's job runs again once it lapses. */
  JOBS_LOCK_MS: int(1_000, 600_000, 30_000),
  JOBS_STALLED_INTERVAL_MS: int(500, 600_000, 30_000),
  /** Worker deaths a job survives before it is failed and dead-lettered. */
  JOBS_MAX_STALLS: int(0, 100, 2),
  /** Fallback check for cancellations of running jobs (the Redis channel is the fast path). */
  JOBS_CANCEL_POLL_MS: int(50, 60_000, 2_000),
  /** How often jobs missing from the queue are looked for; 0 disables. */
  JOBS_RECONCILE_INTERVAL_MS: int(0, 3_600_000, 30_000),
  /** How long a job may sit unchanged before the reconciler looks at it. */
  JOBS_RECONCILE_GRACE_MS: int(100, 86_400_000, 60_000),
};

type JobsWorkerEnv = z.output<z.ZodObject<typeof jobsWorkerEnv>>;

export function jobsWorkerSettings(env: JobsWorkerEnv): { jobs: JobsWorkerSettings } {
  const shared = jobsSettings(env);
  return {
    jobs: {
      concurrency: env.JOBS_CONCURRENCY,
      batchConcurrency: env.JOBS_BATCH_CONCURRENCY,
      retryDelayMs: shared.retryDelayMs,
      cancelPollMs: env.JOBS_CANCEL_POLL_MS,
      reconcileIntervalMs: env.JOBS_RECONCILE_INTERVAL_MS,
      reconcileGraceMs: env.JOBS_RECONCILE_GRACE_MS,
      lockDurationMs: env.JOBS_LOCK_MS,
      stalledIntervalMs: env.JOBS_STALLED_INTERVAL_MS,
      maxStalledCount: env.JOBS_MAX_STALLS,
    },
  };
}
