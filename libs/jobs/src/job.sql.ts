import type { Pool } from 'pg';
import { type Job, selectList } from '@conduit/db';
import type { FinishJob } from './job-finish';

/*
 * Per-job statements shared by the gateway and the worker as plain SQL on the pg pool under
 * Prisma (`PrismaService.pg`): on the hot path of every job, Prisma's ORM path (JS query building
 * plus the wasm query compiler) cost several times the statement itself. `updated_at` is
 * Prisma-side (`@updatedAt`, no database default), so every statement sets it explicitly.
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
 * Moves a job to a terminal status if it is still in one of `from` (whoever gets there first
 * wins). Optional columns are passed as NULL to leave them as they are, which is what Prisma did
 * for fields it was not given (none of them is ever cleared here). `error` is always written:
 * NULL when the update names none. $1 id, $2 status, $3 from, $4 now, $5 error, $6 cancelled_at,
 * $7 result, $8 dead_lettered_at, $9 upstream_ms.
 */
export const FINISH_JOB_SQL = `
UPDATE jobs
   SET status = $2::"JobStatus", finished_at = $4::timestamptz, error = $5::jsonb,
       cancelled_at = COALESCE($6::timestamptz, cancelled_at), result = COALESCE($7::jsonb, result),
       dead_lettered_at = COALESCE($8::timestamptz, dead_lettered_at), upstream_ms = COALESCE($9::integer, upstream_ms),
       updated_at = $4::timestamptz
 WHERE id = $1::uuid AND status = ANY ($3::"JobStatus"[])
RETURNING ${JOB_COLUMNS}`;

/** The finished job; null when it had already left the `from` statuses. */
export async function finishJob(pool: Pool, jobId: string, update: FinishJob, now: Date = new Date()): Promise<Job | null> {
  const { rows } = await pool.query<Job>(FINISH_JOB_SQL, [
    jobId,
    update.status,
    update.from,
    now,
    update.error ? JSON.stringify(update.error) : null,
    update.status === 'cancelled' ? now : null,
    update.result !== undefined ? JSON.stringify(update.result) : null,
    update.deadLettered ? now : null,
    update.upstreamMs ?? null,
  ]);
  return rows[0] ?? null;
}
