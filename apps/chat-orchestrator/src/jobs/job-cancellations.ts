import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { JobStore, jobCancelChannel } from '@conduit/jobs';
import { duplicateConnection, QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { JOBS_WORKER_SETTINGS, JobsWorkerSettings } from './jobs.constants';

/** Why a running job's signal was aborted. */
export class JobAbort extends Error {
  override name = 'JobAbort';

  constructor(readonly reason: 'cancelled' | 'deadline') {
    super(reason === 'cancelled' ? 'the job was cancelled' : 'the job reached its deadline');
  }
}

/**
 * Aborts running jobs that get cancelled. The gateway publishes the job id on a Redis channel the
 * moment it marks the job cancelled; messages can be missed (a reconnect, a job claimed a moment
 * after), so the rows of running jobs are also checked every `cancelPollMs`.
 */
@Injectable()
export class JobCancellations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobCancellations.name);
  private readonly running = new Map<string, AbortController>();
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly jobs: JobStore,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(QUEUE_OPTIONS) private readonly queueOptions: QueueModuleOptions,
    @Inject(JOBS_WORKER_SETTINGS) private readonly settings: JobsWorkerSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const channel = jobCancelChannel(this.queueOptions.prefix);
    this.subscriber = duplicateConnection(this.redis, { connectionName: 'conduit-job-cancel' });
    this.subscriber.on('message', (_channel: string, jobId: string) => this.abort(jobId));
    this.subscriber.on('error', (error: Error) => this.logger.warn({ err: error.message }, 'cancellation channel error'));
    await this.subscriber.subscribe(channel);
    this.timer = setInterval(() => void this.poll(), this.settings.cancelPollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.subscriber?.disconnect();
  }

  /** Tracks a running job; returns the function that stops tracking it. */
  register(jobId: string, controller: AbortController): () => void {
    this.running.set(jobId, controller);
    return () => {
      if (this.running.get(jobId) === controller) this.running.delete(jobId);
    };
  }

  private abort(jobId: string): void {
    const controller = this.running.get(jobId);
    if (controller && !controller.signal.aborted) {
      this.logger.log({ job_id: jobId }, 'aborting cancelled job');
      controller.abort(new JobAbort('cancelled'));
    }
  }

  private async poll(): Promise<void> {
    if (this.running.size === 0) return;
    try {
      for (const id of await this.jobs.cancelledAmong([...this.running.keys()])) this.abort(id);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not check running jobs for cancellation');
    }
  }
}
