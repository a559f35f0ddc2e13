import { z } from 'zod';

/** Largest serialized event body a webhook carries; larger data must be fetched by the receiver. */
export const WEBHOOK_EVENT_MAX_BYTES = 256 * 1024;

/**
 * `webhook.deliver`: send one signed event to one URL, with the consumer's retry schedule (about
 * 24 h), delivery log and endpoint handling. Any service may enqueue it:
 *
 * ```ts
 * const delivery_id = uuidFromName(`budget-alert:${tenantId}:${period}:${threshold}`); // deterministic
 * await producer.enqueue(JobName.WebhookDeliver, { delivery_id, tenant_id, url, event_type: 'budget.threshold',
 *   data: {...}, occurred_at: new Date().toISOString() }, { jobId: webhookDeliverJobId(delivery_id) });
 * ```
 *
 * `delivery_id` is the receiver-visible `webhook-id` and the idempotency key: a second enqueue
 * with the same id is ignored (BullMQ job id) and, once stored, never creates a second delivery.
 * The body sent is `{"type": event_type, "timestamp": occurred_at, "data": data}`.
 */
export const webhookDeliverSchema = z.object({
  delivery_id: z.uuid(),
  tenant_id: z.uuid(),
  url: z.url({ protocol: /^https?$/ }).max(2_048),
  event_type: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, 'event_type is dotted lower-case words, e.g. job.succeeded').max(64),
  data: z.record(z.string(), z.unknown()),
  occurred_at: z.iso.datetime(),
  /** The async job the event is about, when there is one (its delivery log lists it). */
  job_id: z.uuid().nullable().default(null),
  /** 0 for the original series; n for the n-th manual redelivery (set by the redelivery API). */
  series: z.number().int().min(0).default(0),
});
export type WebhookDeliver = z.output<typeof webhookDeliverSchema>;
export type WebhookDeliverInput = z.input<typeof webhookDeliverSchema>;

/** The BullMQ job id of a delivery; `series` > 0 for manual redeliveries. */
export function webhookDeliverJobId(deliveryId: string, series = 0): string {
  return series > 0 ? `webhook-${deliveryId}-r${series}` : `webhook-${deliveryId}`;
}

/** The exact body of a webhook event (signed and sent byte for byte on every attempt). */
export function webhookEventBody(event: Pick<WebhookDeliver, 'event_type' | 'occurred_at' | 'data'>): string {
  return JSON.stringify({ type: event.event_type, timestamp: event.occurred_at, data: event.data });
}
