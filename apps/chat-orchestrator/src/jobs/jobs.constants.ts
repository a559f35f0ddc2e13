export const JOBS_WORKER_SETTINGS = Symbol('JOBS_WORKER_SETTINGS');

export interface JobsWorkerSettings {
  /** Jobs run at once by this process. */
  concurrency: number;
  /** Requests of one batch run at once. */
  batchConcurrency: number;
  /** First retry delay of `job.execute` (doubles per attempt); used when re-enqueueing. */
  retryDelayMs: number;
  /** How often running jobs are checked for a cancellation that the Redis channel missed. */
  cancelPollMs: number;
  /** How often unqueued, stuck or overdue jobs are looked for; 0 turns the reconciler off. */
  reconcileIntervalMs: number;
  /** How long a job may sit unchanged before the reconciler looks at it. */
  reconcileGraceMs: number;
  /** BullMQ lock of a running job; a killed worker's job is re-run after it lapses. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Worker deaths a job survives before it is failed (dead-lettered). */
  maxStalledCount: number;
}
