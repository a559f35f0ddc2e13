import type { Pool } from 'pg';
import type { Job } from '@conduit/db';
import type { FinishJob } from '@conduit/jobs';
import { selectList } from './sql-columns';

/*
 * The worker's per-job statements as plain SQL on the pg pool under Prisma (`PrismaService.pg`):
 * claim, finish, put back for a retry. Prisma's ORM path (JS query building plus the wasm query
 * compiler) cost several times the statement itself here, on every job. Each function is one
 * parameterised statement and one round trip, with the same conditions and the same written
 * values as the Prisma calls it replaced; `job.sql.int-spec.ts` compares the rows with Prisma's.
 *
 * Names, enum types and defaults follow prisma/migrations. `updated_at` is Prisma-side
 * (`@updatedAt`, no database default), so every statement sets it explicitly.
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

/** A running job back to queued after a transient failure, its error visible. $1 id, $2 error, $3 now. */
export const REQUEUE_JOB_SQL = `
UPDATE jobs SET status = 'queued', error = $2::jsonb, updated_at = $3::timestamptz
 WHERE id = $1::uuid AND status = 'running'`;

export interface JobError {
  code: string;
  message: string;
}

/** The job, now running and with this execution counted; null when it is finished, cancelled or not the tenant's. */
export async function claimJob(pool: Pool, key: { jobId: string; tenantId: string }, now: Date = new Date()): Promise<Job | null> {
  const { rows } = await pool.query<Job>(CLAIM_JOB_SQL, [key.jobId, key.tenantId, now]);
  return rows[0] ?? null;
}

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

/** True when the job was running and is queued again. */
export async function requeueJob(pool: Pool, jobId: string, error: JobError, now: Date = new Date()): Promise<boolean> {
  const { rowCount } = await pool.query(REQUEUE_JOB_SQL, [jobId, JSON.stringify(error), now]);
  return rowCount === 1;
}
