import { Prisma } from '@conduit/db';
import { JobName, WebhookDeliverInput, webhookDeliverJobId, webhookEventBody } from '@conduit/contracts';
import type { JobProducer } from '@conduit/queue';

/** What a stored delivery is made of (the `webhook.deliver` payload, minus its defaults). */
export type WebhookEvent = WebhookDeliverInput;

/** The row of an event as a producer stores it (pending, due now). */
export function webhookDeliveryRow(event: WebhookEvent, traceparent?: string | null): Prisma.WebhookDeliveryCreateManyInput {
  return {
    id: event.delivery_id,
    tenantId: event.tenant_id,
    jobId: event.job_id ?? null,
    url: event.url,
    eventType: event.event_type,
    body: webhookEventBody(event),
    series: event.series ?? 0,
    nextAttemptAt: new Date(),
    traceparent: traceparent ?? null,
  };
}

/**
 * Asks the `webhook.deliver` worker to send a stored delivery (see `DeliveryStore`: store it first,
 * in the transaction of the change that caused it). A duplicate enqueue of one delivery series is
 * ignored. Every webhook goes out this way, so every one gets the same retries and backoff.
 */
export async function enqueueWebhookDelivery(producer: JobProducer, event: WebhookEvent): Promise<void> {
  await producer.enqueue(JobName.WebhookDeliver, event, {
    jobId: webhookDeliverJobId(event.delivery_id, event.series ?? 0),
    // Attempts here only cover infrastructure failures (database, Redis); the receiver's retry
    // schedule is the worker's own (it reschedules the job itself).
    attempts: 10,
    backoff: { type: 'exponential', delay: 2_000 },
  });
}

/** The event a stored delivery with a body stands for (for redelivery and recovery). */
export function webhookEventOf(row: {
  id: string;
  tenantId: string;
  jobId: string | null;
  url: string;
  eventType: string;
  body: string;
  series: number;
}): WebhookEvent {
  const parsed = JSON.parse(row.body) as { timestamp: string; data: Record<string, unknown> };
  return {
    delivery_id: row.id,
    tenant_id: row.tenantId,
    job_id: row.jobId,
    url: row.url,
    event_type: row.eventType,
    occurred_at: parsed.timestamp,
    data: parsed.data,
    series: row.series,
  };
}
