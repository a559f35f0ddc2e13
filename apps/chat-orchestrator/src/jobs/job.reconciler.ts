import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ReservationSettler } from '@conduit/budget';
import { QueueName, jobExecuteJobId } from '@conduit/contracts';
import type { Job } from '@conduit/db';
import { JobLifecycle, JobStore, linkedSpan, recordJobFinished } from '@conduit/jobs';
import { JobProducer, LeaderInterval, QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { endJobReservation } from './job-reservation';
import { JOBS_WORKER_SETTINGS, JobsWorkerSettings } from './jobs.constants';

const BATCH = 200;
/** BullMQ states in which the job will still run (or is running). */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export interface ReconcileReport {
  requeued: number;
  expired: number;
  failed: number;
}

/**
 * Postgres is the source of truth; this closes the gaps between it and the queue. Every
 * `reconcileIntervalMs` (one replica at a time, under a Redis lock) it looks at jobs that have
 * sat unchanged in `queued` or `running` for `reconcileGraceMs`:
 *
 * - no live BullMQ job (the enqueue after submit was lost, Redis was flushed, BullMQ gave up on a
 *   job whose workers kept dying): re-enqueued while attempts remain, else failed and dead-lettered;
 * - past its deadline and not running anywhere: expired.
 *
 * It also expires jobs still waiting in `requires_action` (a tool confirmation nobody decided)
 * once their deadline has passed.
 *
 * A job it fails or expires has its budget reservation released.
 *
 * A finished job's webhook needs nothing here: its delivery is stored by the statement that
 * finished the job, and the webhook reconciler (billing) enqueues pending deliveries the queue lost.
 *
 * Recovery work starts a new trace linked to the job's original trace.
 */
@Injectable()
export class JobReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobReconciler.name);
  private readonly loop: LeaderInterval<ReconcileReport>;

  constructor(
    private readonly jobs: JobStore,
    private readonly lifecycle: JobLifecycle,
    private readonly producer: JobProducer,
    private readonly settler: ReservationSettler,
    @Inject(REDIS_CONNECTION) redis: Redis,
    @Inject(QUEUE_OPTIONS) queueOptions: QueueModuleOptions,
    @Inject(JOBS_WORKER_SETTINGS) private readonly settings: JobsWorkerSettings,
  ) {
    this.loop = new LeaderInterval(
      redis,
      `${queueOptions.prefix}:jobs:reconciler`,
      settings.reconcileIntervalMs,
      () => this.reconcile(),
      (error) => this.logger.warn({ err: error }, 'job reconciliation failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass, if no other replica is running one. */
  tick(): Promise<ReconcileReport | undefined> {
    return this.loop.runOnce();
  }

  async reconcile(now = new Date()): Promise<ReconcileReport> {
    const report: ReconcileReport = { requeued: 0, expired: 0, failed: 0 };
    const stale = await this.jobs.findStale(this.settings.reconcileGraceMs, BATCH, now);
    const queue = this.producer.queue(QueueName.Jobs);
    for (const job of stale) {
      const bullId = jobExecuteJobId(job.id);
      const state = await queue.getJobState(bullId);
      if (LIVE_STATES.has(state)) {
        // A live job past its deadline expires when a worker takes it (or its timer fires).
        continue;
      }
      await linkedSpan('job.recover', job.traceparent, { 'conduit.job.id': job.id, 'conduit.job.queue_state': state }, async () => {
        if (job.deadlineAt <= now) {
          if (await this.finish(job, 'expired', { code: 'deadline_exceeded', message: 'The job did not finish within its deadline.' })) report.expired += 1;
          return;
        }
        if (job.attempts >= job.maxAttempts) {
          if (await this.finish(job, 'failed', { code: 'worker_lost', message: 'The job was interrupted on every attempt (its workers stopped).' }, true)) {
            report.failed += 1;
          }
          return;
        }
        if (state !== 'unknown') await queue.remove(bullId).catch(() => undefined);
        await this.jobs.markQueued(job.id);
        await this.lifecycle.enqueue({ ...job, maxAttempts: Math.max(1, job.maxAttempts - job.attempts) }, { retryDelayMs: this.settings.retryDelayMs });
        report.requeued += 1;
        this.logger.warn({ job_id: job.id, queue_state: state, attempts: job.attempts }, 'job was not in the queue; re-enqueued');
      });
    }
    // A job paused on a tool confirmation that nobody decided expires at its deadline.
    for (const job of await this.jobs.findWaitingPastDeadline(BATCH, now)) {
      const finished = await this.lifecycle.finish(job, {
        status: 'expired',
        from: ['requires_action'],
        error: { code: 'deadline_exceeded', message: 'The job waited for its tool confirmation past its deadline.' },
      });
      if (finished) {
        recordJobFinished(finished);
        endJobReservation(this.settler, finished);
        report.expired += 1;
      }
    }
    return report;
  }

  private async finish(job: Job, status: 'expired' | 'failed', error: { code: string; message: string }, deadLettered = false): Promise<boolean> {
    const finished = await this.lifecycle.finish(job, { status, from: ['queued', 'running'], error, deadLettered });
    if (!finished) return false;
    recordJobFinished(finished);
    endJobReservation(this.settler, finished);
    return true;
  }
}
