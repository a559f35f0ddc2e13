import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DelayedError, Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import type { Redis } from 'ioredis';
import { JobName, QueueName, payloadSchemaOf } from '@conduit/contracts';
import { queueDeadLetterJobs, queueDepth, queueJobDuration, queueJobWait, queueJobsTotal, queueOldestJobAge } from '@conduit/observability';
import { type JobHandler, isFinalAttempt, isUnrecoverable } from './job-handler';
import { buildJobRegistry, RegisteredHandler } from './job-registry';
import { QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from './queue.constants';
import { queueKeyPrefix } from './redis.connection';

export const WORKER_HANDLERS = Symbol('WORKER_HANDLERS');
export const WORKER_OPTIONS = Symbol('WORKER_OPTIONS');

export interface WorkerOptions {
  /** Jobs processed at once per queue. */
  concurrency?: Partial<Record<QueueName, number>>;
  /** How often queue depth gauges are refreshed; 0 disables. */
  depthIntervalMs?: number;
  /**
   * A job whose worker died is re-run once its lock expired (BullMQ `lockDuration`, 30 s) and a
   * stalled check saw it (`stalledInterval`, 30 s). Lower both where quick recovery matters.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) and be re-run before BullMQ fails it (default 1). */
  maxStalledCount?: number;
}

const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Runs one BullMQ worker per consumed queue and dispatches by job name. This is the single
 * place where every processor gets payload validation, metrics, tracing and failure logging.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkerHost');
  private readonly workers: Worker[] = [];
  private readonly depthQueues: Queue[] = [];
  private depthTimer: NodeJS.Timeout | undefined;
  private readonly registry: Map<QueueName, Map<JobName, JobHandler>>;
  /** Jobs whose failure went through {@link process}, and whether it was final. */
  private readonly failures = new WeakMap<Job, boolean>();

  constructor(
    @Inject(REDIS_CONNECTION) private readonly connection: Redis,
    @Inject(QUEUE_OPTIONS) private readonly queueOptions: QueueModuleOptions,
    @Inject(WORKER_HANDLERS) handlers: RegisteredHandler[],
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {
    // Built in the constructor so a wrong registry stops the service before it listens.
    this.registry = buildJobRegistry(handlers);
  }

  onApplicationBootstrap(): void {
    const telemetry = new BullMQOtel({ tracerName: 'conduit-queue' });
    for (const [queue, table] of this.registry) {
      const worker = new Worker(queue, (job) => this.process(queue, table, job), {
        connection: this.connection,
        prefix: queueKeyPrefix(this.queueOptions.prefix, this.queueOptions.topology),
        concurrency: this.options.concurrency?.[queue] ?? 8,
        ...(this.options.lockDurationMs !== undefined ? { lockDuration: this.options.lockDurationMs } : {}),
        ...(this.options.stalledIntervalMs !== undefined ? { stalledInterval: this.options.stalledIntervalMs } : {}),
        ...(this.options.maxStalledCount !== undefined ? { maxStalledCount: this.options.maxStalledCount } : {}),
        telemetry,
      });
      worker.on('failed', (job, error) => void this.failed(queue, table, job, error));
      worker.on('error', (error) => this.logger.error({ queue, err: error.message }, 'worker error'));
      this.workers.push(worker);
      this.depthQueues.push(new Queue(queue, { connection: this.connection, prefix: queueKeyPrefix(this.queueOptions.prefix, this.queueOptions.topology) }));
      this.logger.log({ queue, jobs: [...table.keys()] }, 'consuming queue');
    }
    const interval = this.options.depthIntervalMs ?? 15_000;
    if (interval > 0 && this.depthQueues.length > 0) {
      this.depthTimer = setInterval(() => void this.refreshDepth(), interval);
      this.depthTimer.unref();
      void this.refreshDepth();
    }
  }

  /** Stop taking jobs and wait for the in-flight ones; anything cut short is re-run after a stall check. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.depthTimer);
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all(this.depthQueues.map((queue) => queue.close()));
  }

  private async process(queue: QueueName, table: Map<JobName, JobHandler>, job: Job): Promise<unknown> {
    const labels = { queue, job_name: job.name };
    queueJobWait.observe(labels, Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp) / 1_000);
    const handler = table.get(job.name as JobName);
    if (!handler) {
      this.failures.set(job, true);
      queueJobsTotal.inc({ ...labels, outcome: 'failed' });
      throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queue}"`);
    }
    const parsed = payloadSchemaOf(job.name as JobName).safeParse(job.data);
    if (!parsed.success) {
      this.failures.set(job, true);
      queueJobsTotal.inc({ ...labels, outcome: 'failed' });
      throw new UnrecoverableError(`invalid payload for "${job.name}": ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    }
    const stop = queueJobDuration.startTimer(labels);
    try {
      const result = await handler.handle(parsed.data as never, job);
      queueJobsTotal.inc({ ...labels, outcome: 'completed' });
      return result;
    } catch (error) {
      // A job that rescheduled itself (`moveToDelayed` + DelayedError) has not failed.
      const final = !(error instanceof DelayedError) && isFinalAttempt(job, error);
      this.failures.set(job, final);
      queueJobsTotal.inc({ ...labels, outcome: final ? 'failed' : 'retried' });
      if (final) await this.finalFailure(handler, parsed.data, job, error);
      throw error;
    } finally {
      stop();
    }
  }

  /**
   * Every failed attempt ends here. A failure that did not come through {@link process} was
   * raised by BullMQ itself (a job that stalled too often is failed with an `UnrecoverableError`
   * by the next worker that takes it, without running the processor): its handler hears of it here.
   */
  private async failed(queue: QueueName, table: Map<JobName, JobHandler>, job: Job | undefined, error: Error): Promise<void> {
    const seen = job ? this.failures.get(job) : undefined;
    const final = seen ?? (!job || isUnrecoverable(error));
    this.logger.warn({ queue, job: job?.name, job_id: job?.id, attempts: job?.attemptsMade, final, err: error.message }, 'job failed');
    if (!job || seen !== undefined || !final) return;
    const handler = table.get(job.name as JobName);
    const parsed = payloadSchemaOf(job.name as JobName).safeParse(job.data);
    if (!handler || !parsed.success) return;
    queueJobsTotal.inc({ queue, job_name: job.name, outcome: 'failed' });
    await this.finalFailure(handler, parsed.data, job, error);
  }

  private async finalFailure(handler: JobHandler, payload: unknown, job: Job, error: unknown): Promise<void> {
    if (!handler.onFinalFailure) return;
    const cause = error instanceof Error ? error : new Error(String(error));
    try {
      await handler.onFinalFailure(payload as never, job, cause);
    } catch (hookError) {
      this.logger.error({ job: job.name, job_id: job.id, err: hookError }, 'onFinalFailure failed');
    }
  }

  private async refreshDepth(): Promise<void> {
    for (const queue of this.depthQueues) {
      try {
        await refreshQueueGauges(queue);
      } catch {
        // Redis unavailable: readiness reports it; the gauges keep their last value.
      }
    }
  }
}

/**
 * Sets one queue's gauges: jobs by state, the age of the oldest waiting job, and its dead-letter
 * count (jobs failed for good, kept for inspection by `removeOnFail`).
 */
export async function refreshQueueGauges(queue: Queue, now = Date.now()): Promise<void> {
  const counts = await queue.getJobCounts(...DEPTH_STATES);
  for (const state of DEPTH_STATES) queueDepth.set({ queue: queue.name, state }, counts[state] ?? 0);
  queueDeadLetterJobs.set({ queue: queue.name }, counts.failed ?? 0);
  // Waiting jobs are pushed on the list's head; ascending order from 0 reads its tail, the oldest.
  const [oldest] = await queue.getJobs(['waiting'], 0, 0, true);
  queueOldestJobAge.set({ queue: queue.name }, oldest ? Math.max(0, now - oldest.timestamp) / 1_000 : 0);
}
