import type { Prisma, Job } from '@conduit/db';

export const JOB_EXECUTORS = Symbol('JOB_EXECUTORS');

export interface ExecutionContext {
  /** Aborted when the job is cancelled or reaches its deadline: stop, and abort upstream calls. */
  signal: AbortSignal;
}

export interface ExecutionResult {
  result: Prisma.InputJsonObject;
  /** Time spent in provider calls (the rest of a job's life is queue and platform overhead). */
  upstreamMs: number;
}

/**
 * Runs one type of async job. Executors must be safe to run again for the same job (after a
 * crash or a retry): everything they write is keyed by ids derived from the job id.
 */
export interface JobExecutor {
  readonly type: string;
  execute(job: Job, context: ExecutionContext): Promise<ExecutionResult>;
  /** What to store as the result of a job that failed for good, when part of it succeeded. */
  partialResult?(job: Job, failure: { code: string; message: string }): Promise<Prisma.InputJsonObject | undefined>;
}
