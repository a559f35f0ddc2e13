import { z } from 'zod';
import { ASYNC_JOB_STATUSES, ASYNC_JOB_TYPES, AsyncJobType, chatBatchJobInputSchema, chatCompletionJobInputSchema, unknownChatFields } from '@conduit/contracts';
import type { WebhookDelivery, WebhookDeliveryAttempt } from '@conduit/db';
import { MAX_WEBHOOK_URL_LENGTH } from '@conduit/webhooks';
import { cursorParam, limitParam } from '../sessions/list-page';
import { sessionMetadataSchema } from '../sessions/sessions.dto';

const common = {
  /** Receives the job's terminal event, signed (Standard Webhooks). */
  webhook_url: z.string().min(1).max(MAX_WEBHOOK_URL_LENGTH, `webhook_url is at most ${MAX_WEBHOOK_URL_LENGTH} characters`).optional(),
  /** Free-form string tags, returned with the job (same limits as session metadata). */
  metadata: sessionMetadataSchema.optional(),
  /** The job's deadline in seconds from submission; an unfinished job then expires. */
  timeout_seconds: z.number().int().min(1, 'timeout_seconds must be at least 1').optional(),
};

/** `POST /v1/jobs`: the job's `type`, its `input` (the shape depends on the type) and options. */
export const createJobBodySchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal(AsyncJobType.ChatCompletion), input: chatCompletionJobInputSchema, ...common }),
    z.strictObject({ type: z.literal(AsyncJobType.ChatBatch), input: chatBatchJobInputSchema, ...common }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `type must be one of ${ASYNC_JOB_TYPES.join(', ')}` : undefined) },
);
export type CreateJobBody = z.output<typeof createJobBodySchema>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Top-level fields of a job's chat bodies that Conduit does not know (the schema strips them), as
 * paths into the submitted body (`input.store`, `input.requests.2.body.prediction`): refused or
 * dropped like a chat request's (the tenant's or key's `compat.unknown_params`).
 */
export function unknownJobChatFields(raw: unknown): string[] {
  if (!isRecord(raw)) return [];
  const input = raw['input'];
  if (raw['type'] === AsyncJobType.ChatCompletion) return unknownChatFields(input).map((field) => `input.${field}`);
  if (raw['type'] === AsyncJobType.ChatBatch && isRecord(input) && Array.isArray(input['requests'])) {
    return input['requests'].flatMap((request: unknown, index) => (isRecord(request) ? unknownChatFields(request['body']).map((field) => `input.requests.${index}.body.${field}`) : []));
  }
  return [];
}

/** `GET /v1/jobs`. */
export const listJobsQuerySchema = z.strictObject({
  limit: limitParam(20),
  after: cursorParam,
  status: z.enum(ASYNC_JOB_STATUSES, { error: `status must be one of ${ASYNC_JOB_STATUSES.join(', ')}` }).optional(),
  type: z.enum(ASYNC_JOB_TYPES, { error: `type must be one of ${ASYNC_JOB_TYPES.join(', ')}` }).optional(),
});
export type ListJobsQuery = z.output<typeof listJobsQuerySchema>;

/** `Idempotency-Key`: 1..255 visible ASCII characters. */
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1 to 255 visible ASCII characters');

/** One HTTP attempt of a delivery. Times are ISO 8601 with milliseconds (a log, where intervals matter). */
export interface WebhookAttemptObject {
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: { code: string; message: string } | null;
  response_body: string | null;
  next_retry_at: string | null;
}

export interface WebhookDeliveryObject {
  id: string;
  object: 'webhook_delivery';
  job_id: string | null;
  event_type: string;
  url: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempt_count: number;
  redeliveries: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  attempts: WebhookAttemptObject[];
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toDeliveryObject(delivery: WebhookDelivery & { attemptsLog: WebhookDeliveryAttempt[] }): WebhookDeliveryObject {
  return {
    id: delivery.id,
    object: 'webhook_delivery',
    job_id: delivery.jobId,
    event_type: delivery.eventType,
    url: delivery.url,
    status: delivery.status,
    attempt_count: delivery.attempts,
    redeliveries: delivery.series,
    next_attempt_at: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
    last_error: delivery.lastError,
    created_at: delivery.createdAt.toISOString(),
    delivered_at: iso(delivery.deliveredAt),
    attempts: [...delivery.attemptsLog]
      .sort((a, b) => a.attempt - b.attempt)
      .map((attempt) => ({
        attempt: attempt.attempt,
        started_at: attempt.startedAt.toISOString(),
        duration_ms: attempt.durationMs,
        status_code: attempt.statusCode,
        error: attempt.errorCode ? { code: attempt.errorCode, message: attempt.errorMessage ?? '' } : null,
        response_body: attempt.responseBody,
        next_retry_at: iso(attempt.nextRetryAt),
      })),
  };
}
