import { type Job, selectList } from '@conduit/db';
import { outboxDeliverySql, subscribedOutboxSql } from '@conduit/webhooks';

/*
 * The statements of `jobs` and `job_items` that run for every job (submit, claim, finish, requeue,
 * a batch request's outcome) as plain SQL on the pg pool under Prisma (`PrismaService.pg`):
 * Prisma's ORM path (JS query building plus the wasm query compiler) cost several times the
 * statement itself here. Each is one parameterised statement and one round trip. Names, enum
 * types and defaults follow prisma/migrations; `updated_at` is Prisma-side (`@updatedAt`, no
 * database default), so every statement sets it explicitly. Only `JobStore` runs them;
 * `job.store.int-spec.ts` proves them.
 */

/** Every column of `jobs`, keyed by its Prisma field. */
const JOB_FIELDS = {
  id: 'id',
  tenantId: 'tenant_id',
  userId: 'user_id',
  apiKeyId: 'api_key_id',
  type: 'type',
  status: 'status',
  input: 'input',
  metadata: 'metadata',
  webhookUrl: 'webhook_url',
  idempotencyKey: 'idempotency_key',
  requestHash: 'request_hash',
  requestId: 'request_id',
  traceparent: 'traceparent',
  attempts: 'attempts',
  maxAttempts: 'max_attempts',
  itemsTotal: 'items_total',
  itemsSucceeded: 'items_succeeded',
  itemsFailed: 'items_failed',
  result: 'result',
  error: 'error',
  upstreamMs: 'upstream_ms',
  deadLetteredAt: 'dead_lettered_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  cancelledAt: 'cancelled_at',
  deadlineAt: 'deadline_at',
} satisfies Record<keyof Job, string>;

/** A `jobs` row in the shape of Prisma's `Job`. */
export const JOB_COLUMNS = selectList(JOB_FIELDS);

/**
 * The submit path's one write. The columns are the ones a submission decides; the rest are left to
 * their database defaults (`items_succeeded`/`items_failed` 0, the nullable ones NULL).
 * `created_at` and `updated_at` are given explicitly: both must equal the job object the API
 * answers with. A replayed Idempotency-Key conflicts on (tenant, user, key) and inserts nothing.
 */
export const INSERT_JOB_SQL = `
INSERT INTO jobs (id, tenant_id, user_id, api_key_id, type, status, input, metadata, webhook_url, idempotency_key, request_hash,
                  request_id, traceparent, attempts, max_attempts, items_total, created_at, updated_at, deadline_at)
VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, 'queued', $6::jsonb, $7::jsonb, $8, $9, $10,
        $11, $12, 0, $13::integer, $14::integer, $15::timestamptz, $16::timestamptz, $17::timestamptz)
ON CONFLICT (tenant_id, user_id, idempotency_key) DO NOTHING`;

/**
 * Claims a job for this execution: queued or running → running (running too: a worker that died
 * mid-job left it running, and BullMQ's lock, not this row, decides who runs it now). Counts the
 * execution in `attempts`. Concurrent claims serialise on the row lock, so none is lost.
 * $1 job id, $2 tenant id, $3 now.
 */
export const CLAIM_JOB_SQL = `
UPDATE jobs
   SET status = 'running', attempts = attempts + 1, started_at = $3::timestamptz, updated_at = $3::timestamptz
 WHERE id = $1::uuid AND tenant_id = $2::uuid AND status IN ('queued', 'running')
RETURNING ${JOB_COLUMNS}`;

/** A running job back to queued after a transient failure, its error visible. $1 id, $2 error, $3 now. */
export const REQUEUE_JOB_SQL = `
UPDATE jobs SET status = 'queued', error = $2::jsonb, updated_at = $3::timestamptz
 WHERE id = $1::uuid AND status = 'running'`;

/**
 * Moves a job to a terminal status (or to `requires_action`, which leaves `finished_at` NULL) if it is still in one of `from` (whoever gets there first
 * wins) and, in the same statement, stores the delivery of its webhook event when it has a
 * `webhook_url`, and one per registered endpoint of the tenant subscribed to the event (the outbox:
 * the deliveries exist if and only if the finish committed). The row comes back with the
 * subscribed deliveries it stored (`subscribedDeliveries`: id and URL each), so the caller
 * enqueues them without reading them back. Optional
 * columns are passed as NULL to leave them as they are (none of them is ever cleared here);
 * `error` is always written: NULL when the update names none. $1 id, $2 status, $3 from, $4 now,
 * $5 error, $6 cancelled_at, $7 result, $8 dead_lettered_at, $9 upstream_ms, $10 delivery id,
 * $11 event type, $12 traceparent of the delivery.
 */
export const FINISH_JOB_SQL = `
WITH finished AS (
  UPDATE jobs
     SET status = $2::"JobStatus", finished_at = CASE WHEN $2::"JobStatus" = 'requires_action' THEN NULL ELSE $4::timestamptz END, error = $5::jsonb,
         cancelled_at = COALESCE($6::timestamptz, cancelled_at), result = COALESCE($7::jsonb, result),
         dead_lettered_at = COALESCE($8::timestamptz, dead_lettered_at), upstream_ms = COALESCE($9::integer, upstream_ms),
         updated_at = $4::timestamptz
   WHERE id = $1::uuid AND status = ANY ($3::"JobStatus"[])
  RETURNING ${JOB_COLUMNS}
), outbox AS (
  ${outboxDeliverySql('finished', {
    id: '$10::uuid',
    tenantId: 'finished."tenantId"',
    jobId: 'finished.id',
    url: 'finished."webhookUrl"',
    eventType: '$11',
    traceparent: '$12',
    now: '$4::timestamptz',
  })}
), subscribed AS (
  ${subscribedOutboxSql('finished', {
    tenantId: 'finished."tenantId"',
    jobId: 'finished.id',
    url: 'finished."webhookUrl"',
    eventType: '$11',
    traceparent: '$12',
    now: '$4::timestamptz',
  })}
  RETURNING id, url
)
SELECT finished.*, (SELECT COALESCE(json_agg(json_build_object('id', s.id, 'url', s.url)), '[]'::json) FROM subscribed s) AS "subscribedDeliveries"
  FROM finished`;

/**
 * Stores the outcome of one request of a batch, once (only while it is pending), and counts it on
 * the job. $1 job id, $2 position, $3 status, $4 result, $5 error, $6 now.
 */
export const SETTLE_ITEM_SQL = `
WITH settled AS (
  UPDATE job_items
     SET status = $3::"JobItemStatus", result = COALESCE($4::jsonb, result), error = COALESCE($5::jsonb, error), updated_at = $6::timestamptz
   WHERE job_id = $1::uuid AND position = $2::integer AND status = 'pending'
  RETURNING job_id
)
UPDATE jobs
   SET items_succeeded = items_succeeded + CASE WHEN $3::"JobItemStatus" = 'succeeded' THEN 1 ELSE 0 END,
       items_failed = items_failed + CASE WHEN $3::"JobItemStatus" = 'failed' THEN 1 ELSE 0 END,
       updated_at = $6::timestamptz
 WHERE id = (SELECT job_id FROM settled)`;
