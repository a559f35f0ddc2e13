import { Inject, Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Job as BullJob, UnrecoverableError } from 'bullmq';
import { ReservationSettler } from '@conduit/budget';
import type { JobExecute } from '@conduit/contracts';
import type { Job } from '@conduit/db';
import { FinishJob, JobLifecycle, JobStore, recordJobFinished } from '@conduit/jobs';
import { isFinalAttempt } from '@conduit/queue';
import { JobAbort, JobCancellations } from './job-cancellations';
import { JOB_EXECUTORS, JobExecutor } from './job-executor';
import { classifyJobError } from './job-failure';
import { endJobReservation } from './job-reservation';

export interface RunOutcome {
  status: string;
}

/**
 * Runs one `job.execute`: claims the job row (queued or running → running; anything else means
 * it is finished or cancelled and is skipped), runs its executor under an AbortSignal tied to
 * cancellation and the job's deadline, and records exactly one terminal status. Transient
 * failures put the job back to `queued` and are retried by BullMQ with backoff; invalid work and
 * the last attempt fail it (`UnrecoverableError`), the latter dead-lettered.
 *
 * The row's statements (claim, finish, requeue) are `JobStore`'s, one statement each. The finish
 * that moves the job to its terminal status also ends the job's budget reservation (see
 * `endJobReservation`); a job cancelled by the gateway had its reservation released there.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);
  private readonly executors: Map<string, JobExecutor>;

  constructor(
    private readonly jobs: JobStore,
    private readonly lifecycle: JobLifecycle,
    private readonly cancellations: JobCancellations,
    private readonly settler: ReservationSettler,
    @Inject(JOB_EXECUTORS) executors: JobExecutor[],
  ) {
    this.executors = new Map(executors.map((executor) => [executor.type, executor]));
  }

  async run(payload: JobExecute, bull: BullJob): Promise<RunOutcome> {
    const job = await this.jobs.claim({ jobId: payload.job_id, tenantId: payload.tenant_id });
    if (!job) return this.skip(payload.job_id);
    trace.getActiveSpan()?.setAttributes({ 'conduit.job.id': job.id, 'conduit.job.type': job.type, 'conduit.job.attempt': job.attempts });

    const now = Date.now();
    if (job.deadlineAt.getTime() <= now) return this.expire(job);
    const executor = this.executors.get(job.type);
    if (!executor) {
      await this.finish(job, { status: 'failed', from: ['running'], error: { code: 'unknown_job_type', message: `No executor for job type "${job.type}".` } });
      throw new UnrecoverableError(`no executor for job type ${job.type}`);
    }

    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(new JobAbort('deadline')), job.deadlineAt.getTime() - now);
    const release = this.cancellations.register(job.id, abort);
    try {
      const { result, upstreamMs } = await executor.execute(job, { signal: abort.signal });
      if (isPausedAnswer(result)) {
        // A dangerous tool call waits for its confirmation: the job pauses (not terminal; its
        // reservation was settled by the paused turn) and `POST /v1/tool-confirmations/{id}` finishes it.
        const paused = await this.lifecycle.finish(job, { status: 'requires_action', from: ['running'], result, upstreamMs });
        return { status: paused ? 'requires_action' : 'superseded' };
      }
      const finished = await this.finish(job, { status: 'succeeded', from: ['running'], result, upstreamMs });
      return { status: finished ? 'succeeded' : 'superseded' };
    } catch (error) {
      if (abort.signal.aborted) {
        const reason = abort.signal.reason as JobAbort;
        if (reason.reason === 'deadline') return this.expire(job);
        return { status: 'cancelled' };
      }
      const failure = classifyJobError(error);
      const lastAttempt = isFinalAttempt(bull);
      if (!failure.retryable || lastAttempt) {
        const partial = await executor.partialResult?.(job, failure).catch(() => undefined);
        await this.finish(job, {
          status: 'failed',
          from: ['running'],
          error: { code: failure.code, message: failure.message },
          deadLettered: failure.retryable,
          ...(partial ? { result: partial } : {}),
        });
        if (failure.code === 'internal_error') this.logger.error({ err: error, job_id: job.id }, 'job failed for good');
        throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
      }
      this.logger.warn({ job_id: job.id, attempt: job.attempts, code: failure.code, err: failure.code === 'internal_error' ? error : undefined }, 'job attempt failed; retrying');
      await this.jobs.requeue(job.id, { code: failure.code, message: failure.message });
      throw new Error(`${failure.code}: ${failure.message}`);
    } finally {
      clearTimeout(deadline);
      release();
    }
  }

  /** The job is finished, cancelled or gone: make sure a finished job's webhook is on its way. */
  private async skip(jobId: string): Promise<RunOutcome> {
    const existing = await this.jobs.findById(jobId);
    if (existing) await this.lifecycle.enqueueWebhook(existing);
    return { status: existing ? `skipped_${existing.status}` : 'skipped_missing' };
  }

  private async expire(job: Job): Promise<RunOutcome> {
    const seconds = Math.round((job.deadlineAt.getTime() - job.createdAt.getTime()) / 1000);
    await this.finish(job, { status: 'expired', from: ['queued', 'running'], error: { code: 'deadline_exceeded', message: `The job did not finish within its ${seconds} s deadline.` } });
    return { status: 'expired' };
  }

  private async finish(job: Job, update: FinishJob): Promise<Job | null> {
    const finished = await this.lifecycle.finish(job, update);
    if (finished) {
      recordJobFinished(finished);
      endJobReservation(this.settler, finished);
    }
    return finished;
  }
}

/** True when a `chat.completion` answer ended paused on a tool confirmation (docs/tools.md). */
function isPausedAnswer(result: unknown): boolean {
  const choices = (result as { choices?: { finish_reason?: unknown }[] } | null)?.choices;
  return Array.isArray(choices) && choices[0]?.finish_reason === 'requires_confirmation';
}
