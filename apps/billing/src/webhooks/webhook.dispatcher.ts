import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { DelayedError, Job as BullJob, UnrecoverableError } from 'bullmq';
import type { WebhookDeliver } from '@conduit/contracts';
import type { WebhookDelivery } from '@conduit/db';
import { injectTraceCarrier } from '@conduit/observability';
import {
  AttemptOf,
  ClaimOf,
  DeliveryStore,
  WebhookEndpoints,
  WebhookSender,
  WebhookSendResult,
  WebhookSigningKeys,
  nextWebhookAttemptAt,
  webhookAttemptDuration,
  webhookAttemptsTotal,
  webhookDeliveriesFinished,
  webhookHeaders,
} from '@conduit/webhooks';
import { MicroBatcher } from '../batching/micro-batcher';
import { WEBHOOK_DELIVERY_SETTINGS, WebhookDeliverySettings } from './webhooks.constants';

const tracer = trace.getTracer('conduit-webhooks');

/** Most claims or attempt logs one statement carries. */
const DELIVERY_MAX_BATCH = 200;

/**
 * Runs a batch statement and answers per item; should the statement fail (e.g. a deadlock with
 * another replica), each item is run alone, so a failure is only its own run's.
 */
async function eachSettled<I, O>(items: readonly I[], run: (items: readonly I[]) => Promise<O[]>): Promise<PromiseSettledResult<O>[]> {
  try {
    return (await run(items)).map((value) => ({ status: 'fulfilled', value }));
  } catch (error) {
    if (items.length === 1) return [{ status: 'rejected', reason: error }];
    return Promise.all(
      items.map(async (item): Promise<PromiseSettledResult<O>> => {
        try {
          const [value] = await run([item]);
          return { status: 'fulfilled', value };
        } catch (reason) {
          return { status: 'rejected', reason };
        }
      }),
    );
  }
}

export interface DeliveryOutcome {
  status: 'succeeded' | 'failed' | 'pending' | 'skipped';
  attempt?: number;
}

/**
 * Sends one webhook attempt per `webhook.deliver` run and decides what comes next:
 *
 * - 2xx: succeeded. 410: the endpoint is disabled and the delivery failed. A URL that is not
 *   allowed (now — DNS is checked at every attempt): failed.
 * - anything else (other statuses, timeouts, connection errors): the job reschedules itself
 *   (`moveToDelayed` + `DelayedError`) on the exponential, jittered schedule until the
 *   delivery's ~24 h window is spent, then the delivery is marked failed.
 *
 * Deliveries are signed with the registered endpoint's own secret (both secrets during a rotation's
 * overlap) or, for a job's implicit endpoint, with the tenant's key.
 *
 * Every attempt is recorded (`webhook_delivery_attempts`) before the next is scheduled; the
 * records of deliveries running at the same time share one statement. The same
 * body and `webhook-id` go out on every attempt; the timestamp and signatures are fresh. The
 * delivery row is the producer's (stored with the change that caused the event): the first run
 * fills in the body of a job's outbox row from the event it carries. All of it through
 * `DeliveryStore`, in statements shared by the deliveries running at the same time: one to claim, one to record.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly sender: WebhookSender;
  /** The claims and the attempt logs of concurrently running deliveries, one statement per batch (each run still awaits its own). */
  private readonly claims = new MicroBatcher<ClaimOf, WebhookDelivery | null>((claims) => eachSettled(claims, (batch) => this.deliveries.claimMany(batch)), {
    name: 'webhooks.deliveries.claim',
    maxBatch: DELIVERY_MAX_BATCH,
  });
  private readonly attempts = new MicroBatcher<AttemptOf, boolean>((attempts) => eachSettled(attempts, (batch) => this.deliveries.recordAttempts(batch)), {
    name: 'webhooks.attempts.record',
    maxBatch: DELIVERY_MAX_BATCH,
  });

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly keys: WebhookSigningKeys,
    private readonly endpoints: WebhookEndpoints,
    @Inject(WEBHOOK_DELIVERY_SETTINGS) private readonly settings: WebhookDeliverySettings,
  ) {
    this.sender = new WebhookSender(settings.policy);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sender.close();
  }

  async deliver(event: WebhookDeliver, bull: BullJob): Promise<DeliveryOutcome> {
    // The producer stored the delivery; an event enqueued without one (before outbox rows existed) is stored now.
    const delivery = await this.claims.submit({ event, traceparent: injectTraceCarrier().traceparent ?? null });
    if (!delivery || delivery.tenantId !== event.tenant_id) throw new UnrecoverableError(`delivery ${event.delivery_id} belongs to another tenant`);
    if (delivery.status !== 'pending' || delivery.series !== event.series) return { status: 'skipped' };
    const body = delivery.body;
    if (body === null) throw new UnrecoverableError(`delivery ${event.delivery_id} has no body`);

    const endpoint = await this.endpoints.ensure(delivery.tenantId, delivery.url);
    if (endpoint.disabledAt) {
      await this.close(delivery, 'failed', 'endpoint_disabled');
      return { status: 'failed' };
    }
    // A registered endpoint signs with its own secret(s); an implicit one with the tenant's.
    const secrets = this.endpoints.signingSecrets(endpoint) ?? (await this.keys.signingSecrets(delivery.tenantId));
    const attempt = delivery.attempts + 1;
    const startedAt = new Date();
    const headers = webhookHeaders({ id: delivery.id, timestamp: Math.floor(startedAt.getTime() / 1000), body }, secrets);
    const result = await this.attempt(delivery, body, attempt, headers);

    let status: 'pending' | 'succeeded' | 'failed' = 'failed';
    let nextAt: number | null = null;
    let reason = result.error?.code ?? null;
    if (result.outcome === 'delivered') {
      status = 'succeeded';
    } else if (result.outcome === 'gone') {
      await this.endpoints.disable(delivery.tenantId, delivery.url, 'the receiver answered 410 Gone');
      reason = 'endpoint_gone';
    } else if (result.outcome === 'failed') {
      nextAt = nextWebhookAttemptAt(delivery.seriesStartedAt.getTime(), delivery.seriesAttempts + 1, Date.now(), this.settings.retry);
      if (nextAt !== null) status = 'pending';
      else reason = `gave_up_after_${delivery.seriesAttempts + 1}_attempts: ${reason}`;
    }

    const updated = await this.attempts.submit({
      delivery,
      record: { attempt, startedAt, result, status, nextAt: nextAt === null ? null : new Date(nextAt), lastError: status === 'succeeded' ? null : reason },
    });
    if (!updated) return { status: 'skipped', attempt };
    if (status !== 'pending') webhookDeliveriesFinished.inc({ status, reason: status === 'succeeded' ? 'delivered' : (result.error?.code ?? 'unknown') });
    if (status === 'pending' && nextAt !== null) {
      await bull.moveToDelayed(nextAt, bull.token);
      throw new DelayedError(`attempt ${attempt} failed (${result.error?.code}); next attempt at ${new Date(nextAt).toISOString()}`);
    }
    return { status, attempt };
  }

  private async attempt(delivery: WebhookDelivery, body: string, attempt: number, headers: Record<string, string>): Promise<WebhookSendResult> {
    return tracer.startActiveSpan(
      'webhook.attempt',
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'conduit.webhook.delivery_id': delivery.id,
          'conduit.webhook.event_type': delivery.eventType,
          'conduit.webhook.attempt': attempt,
          ...(delivery.jobId ? { 'conduit.job.id': delivery.jobId } : {}),
        },
      },
      async (span) => {
        const result = await this.sender.send({ url: delivery.url, body, headers, timeoutMs: this.settings.timeoutMs });
        span.setAttributes({ 'conduit.webhook.outcome': result.outcome, ...(result.statusCode !== null ? { 'http.response.status_code': result.statusCode } : {}) });
        if (result.outcome !== 'delivered') span.setStatus({ code: SpanStatusCode.ERROR, message: result.error?.code });
        span.end();
        webhookAttemptsTotal.inc({ event_type: delivery.eventType, outcome: result.outcome });
        webhookAttemptDuration.observe({ outcome: result.outcome }, result.durationMs / 1000);
        if (result.outcome !== 'delivered') {
          this.logger.warn({ delivery_id: delivery.id, attempt, outcome: result.outcome, error: result.error?.code, status_code: result.statusCode }, 'webhook attempt failed');
        }
        return result;
      },
    );
  }

  private async close(delivery: WebhookDelivery, status: 'failed', reason: string): Promise<void> {
    await this.deliveries.close(delivery.id, status, reason);
    webhookDeliveriesFinished.inc({ status, reason });
  }
}
