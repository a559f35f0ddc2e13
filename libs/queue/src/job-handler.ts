import { type Job, UnrecoverableError } from 'bullmq';
import type { JobName, JobPayload } from '@conduit/contracts';
import { JOB_HANDLER_METADATA } from './queue.constants';

/** A processor for one job name. Throw `UnrecoverableError` for work that can never succeed. */
export interface JobHandler<J extends JobName = JobName> {
  handle(payload: JobPayload<J>, job: Job): Promise<unknown>;
  /**
   * Called once when the job has failed for good: the handler threw on its last attempt or threw
   * an `UnrecoverableError`, or BullMQ failed the job without running the handler (its workers
   * kept dying: it stalled more often than `maxStalledCount`). Awaited before the job is marked
   * failed when the handler threw; errors it throws are logged, not retried.
   */
  onFinalFailure?(payload: JobPayload<J>, job: Job, error: Error): Promise<void>;
}

/** Declares which job a handler class processes. */
export function HandlesJob(name: JobName): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(JOB_HANDLER_METADATA, name, target);
  };
}

export function handledJobOf(target: object): JobName | undefined {
  return Reflect.getMetadata(JOB_HANDLER_METADATA, target.constructor) as JobName | undefined;
}

/** BullMQ never retries this error (also subclasses, and errors from another copy of bullmq). */
export function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
}

/**
 * Whether a failure of the attempt now running fails the job for good (BullMQ will not retry it):
 * the error is unrecoverable, or this is the job's last attempt. Ask while the attempt runs, i.e.
 * before BullMQ has counted it in `attemptsMade`.
 */
export function isFinalAttempt(job: Pick<Job, 'attemptsMade' | 'opts'>, error?: unknown): boolean {
  return isUnrecoverable(error) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
