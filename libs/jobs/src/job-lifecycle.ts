import { Injectable, Logger } from '@nestjs/common';
import { JOB_WEBHOOK_EVENTS, JobName, WEBHOOK_EVENT_MAX_BYTES, jobExecuteJobId } from '@conduit/contracts';
import type { Job } from '@conduit/db';
import { injectTraceCarrier } from '@conduit/observability';
import { JobProducer } from '@conduit/queue';
import { DeliveryStore, WebhookEvent, enqueueWebhookDelivery } from '@conduit/webhooks';
import { jobIds } from './job-ids';
import { requiredActionOf, toJobObject } from './job-object';
import type { FinishJob, JobEventStatus } from './job-finish';
import { JobStore, SubscribedDelivery } from './job.store';

/** Retry policy of `job.execute` (see `jobsEnv`). */
export interface JobRetryPolicy {
  retryDelayMs: number;
}

/**
 * The webhook event for a job in a terminal status, to its own `webhook_url` or — with `target` —
 * to a subscribed endpoint's delivery. Oversized results are left out (fetch them from `status_url`).
 */
export function jobWebhookEvent(job: Job, target?: { deliveryId: string; url: string }): WebhookEvent {
  const object = toJobObject(job);
  const fits = Buffer.byteLength(JSON.stringify(object)) <= WEBHOOK_EVENT_MAX_BYTES - 1_024;
  const data: Record<string, unknown> = fits ? { ...object } : { ...object, result: null, result_omitted: true };
  const event = JOB_WEBHOOK_EVENTS[job.status as JobEventStatus];
  const url = target?.url ?? job.webhookUrl;
  if (!event || !url) throw new Error(`job ${job.id} has no webhook event in status ${job.status}`);
  return {
    delivery_id: target?.deliveryId ?? jobDeliveryId(job),
    tenant_id: job.tenantId,
    job_id: job.id,
    url,
    event_type: event,
    data,
    occurred_at: (job.finishedAt ?? job.updatedAt).toISOString(),
  };
}

/** The delivery id of the job's own webhook for its current status: one per pause, one for its terminal event. */
function jobDeliveryId(job: Job): string {
  const action = requiredActionOf(job);
  return action ? jobIds.actionWebhookDelivery(job.id, action.confirmation_id) : jobIds.webhookDelivery(job.id);
}

/**
 * The transitions shared by the gateway (submit, cancel) and the worker (finish): enqueueing a
 * job's execution and moving it to a terminal status exactly once (conditional updates: whoever
 * gets there first wins), then sending the terminal event to the job's webhook.
 */
@Injectable()
export class JobLifecycle {
  private readonly logger = new Logger(JobLifecycle.name);

  constructor(
    private readonly jobs: JobStore,
    private readonly deliveries: DeliveryStore,
    private readonly producer: JobProducer,
  ) {}

  /** Asks a worker to run the job; enqueueing the same job twice runs it once. */
  async enqueue(job: Pick<Job, 'id' | 'tenantId' | 'maxAttempts'>, policy: JobRetryPolicy): Promise<void> {
    await this.producer.enqueue(
      JobName.JobExecute,
      { job_id: job.id, tenant_id: job.tenantId },
      {
        jobId: jobExecuteJobId(job.id),
        attempts: job.maxAttempts,
        backoff: { type: 'exponential', delay: policy.retryDelayMs },
        removeOnComplete: { age: 3_600, count: 10_000 },
        // Failed BullMQ jobs are the dead-letter queue's raw material: keep them for two weeks.
        removeOnFail: { age: 14 * 86_400 },
      },
    );
  }

  /**
   * Moves a job to a terminal status with one statement that also stores its webhook delivery
   * (the outbox, see `JobStore.finish`); null when it had already left the `from` statuses. A job
   * with a webhook then has its event enqueued. If the process dies between the statement and the
   * enqueue, the delivery is committed and pending: a worker re-running the job finds it finished
   * and enqueues it ({@link enqueueWebhook}), and the webhook reconciler enqueues pending
   * deliveries the queue does not hold.
   */
  async finish(job: Pick<Job, 'id'>, update: FinishJob): Promise<Job | null> {
    const finished = await this.jobs.finishWithDeliveries(job.id, update, injectTraceCarrier().traceparent ?? null);
    if (!finished) return null;
    if (finished.job.webhookUrl) await this.sendWebhook(finished.job);
    await this.sendSubscribed(finished.job, finished.subscribed);
    return finished.job;
  }

  /** Enqueues the deliveries the finish stored for endpoints subscribed to the event (a lost enqueue is the reconciler's). */
  private async sendSubscribed(job: Job, subscribed: readonly SubscribedDelivery[]): Promise<void> {
    try {
      for (const delivery of subscribed) {
        await enqueueWebhookDelivery(this.producer, jobWebhookEvent(job, { deliveryId: delivery.id, url: delivery.url }));
      }
    } catch (error) {
      this.logger.warn({ err: error, job_id: job.id }, 'could not enqueue the job event for subscribed endpoints; the reconciler will');
    }
  }

  /** Makes sure the webhook of a finished job is on its way (used when a finished job is seen again). */
  async enqueueWebhook(job: Job): Promise<void> {
    if (!job.webhookUrl || !JOB_WEBHOOK_EVENTS[job.status as JobEventStatus]) return;
    const status = await this.deliveries.statusOf(jobDeliveryId(job));
    if (status !== null && status !== 'pending') return;
    await this.sendWebhook(job);
  }

  private async sendWebhook(job: Job): Promise<void> {
    try {
      await enqueueWebhookDelivery(this.producer, jobWebhookEvent(job));
    } catch (error) {
      // The delivery is stored and pending: the webhook reconciler enqueues it later.
      this.logger.warn({ err: error, job_id: job.id }, 'could not enqueue the job webhook; the reconciler will');
    }
  }
}
