import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { QueueName, webhookDeliverJobId } from '@conduit/contracts';
import { jobWebhookEvent, linkedSpan } from '@conduit/jobs';
import { JobProducer, LeaderInterval, QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { DeliveryStore, OverdueDelivery, WebhookEvent, enqueueWebhookDelivery, webhookEventOf } from '@conduit/webhooks';
import { WEBHOOK_DELIVERY_SETTINGS, WebhookDeliverySettings } from './webhooks.constants';

const BATCH = 200;
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Every delivery is stored by its producer, in the transaction of the change that caused it (the
 * outbox), and then enqueued. This finds pending deliveries that are overdue and not in the queue
 * (the enqueue after the commit was lost, Redis was flushed, or BullMQ gave up on a job whose
 * worker kept dying) and enqueues them again, in a new trace linked to the one that produced the
 * event. A job's outbox row whose body was never rendered is rendered from its job. One replica
 * at a time (Redis lock).
 */
@Injectable()
export class WebhookReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookReconciler.name);
  private readonly loop: LeaderInterval<number>;

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly producer: JobProducer,
    @Inject(REDIS_CONNECTION) redis: Redis,
    @Inject(QUEUE_OPTIONS) queueOptions: QueueModuleOptions,
    @Inject(WEBHOOK_DELIVERY_SETTINGS) private readonly settings: WebhookDeliverySettings,
  ) {
    this.loop = new LeaderInterval(
      redis,
      `${queueOptions.prefix}:webhooks:reconciler`,
      settings.reconcileIntervalMs,
      () => this.reconcile(),
      (error) => this.logger.warn({ err: error }, 'webhook reconciliation failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass, if no other replica is running one. */
  tick(): Promise<number | undefined> {
    return this.loop.runOnce();
  }

  /** Re-enqueues overdue pending deliveries that have no live queue job; returns how many. */
  async reconcile(now = new Date()): Promise<number> {
    const overdue = await this.deliveries.findOverdue(this.settings.reconcileGraceMs, BATCH, now);
    const queue = this.producer.queue(QueueName.Webhooks);
    let requeued = 0;
    for (const found of overdue) {
      const { delivery } = found;
      const bullId = webhookDeliverJobId(delivery.id, delivery.series);
      const state = await queue.getJobState(bullId);
      if (LIVE_STATES.has(state)) continue;
      const event = this.eventOf(found);
      if (!event) continue;
      await linkedSpan('webhook.recover', delivery.traceparent, { 'conduit.webhook.delivery_id': delivery.id, 'conduit.webhook.queue_state': state }, async () => {
        if (state !== 'unknown') await queue.remove(bullId).catch(() => undefined);
        await enqueueWebhookDelivery(this.producer, event);
      });
      requeued += 1;
      this.logger.warn({ delivery_id: delivery.id, queue_state: state }, 'pending webhook delivery was not in the queue; re-enqueued');
    }
    return requeued;
  }

  private eventOf({ delivery, job }: OverdueDelivery): WebhookEvent | null {
    if (delivery.body !== null) return webhookEventOf({ ...delivery, body: delivery.body });
    // A job's outbox row (its own URL or a subscribed endpoint's): the event rendered from the job, for this row.
    if (job) return jobWebhookEvent(job, { deliveryId: delivery.id, url: delivery.url });
    this.logger.error({ delivery_id: delivery.id }, 'pending webhook delivery has neither a body nor a job');
    return null;
  }
}
