import { z } from 'zod';

/**
 * Every event type a registered webhook endpoint may subscribe to (`event_types` of
 * `/v1/webhook-endpoints`). `job.requires_action` is sent when a job pauses for a tool confirmation
 * (docs/tools.md). `eval.regression` is emitted by the eval worker (docs/evaluation.md).
 */
export const WEBHOOK_EVENT_TYPES = [
  'job.succeeded',
  'job.failed',
  'job.cancelled',
  'job.expired',
  'job.requires_action',
  'budget.threshold',
  'budget.exceeded',
  'cost.spike',
  'document.indexed',
  'document.failed',
  'eval.regression',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The event a test-send (`POST /v1/webhook-endpoints/{id}/test`) delivers; not subscribable. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES, {
  error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
});
