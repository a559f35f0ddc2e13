import type { Pool } from 'pg';
import type { Job } from '@conduit/db';
import { JOB_COLUMNS } from '@conduit/jobs';

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

export interface JobError {
  code: string;
  message: string;
}

/** The job, now running and with this execution counted; null when it is finished, cancelled or not the tenant's. */
export async function claimJob(pool: Pool, key: { jobId: string; tenantId: string }, now: Date = new Date()): Promise<Job | null> {
  const { rows } = await pool.query<Job>(CLAIM_JOB_SQL, [key.jobId, key.tenantId, now]);
  return rows[0] ?? null;
}

/** True when the job was running and is queued again. */
export async function requeueJob(pool: Pool, jobId: string, error: JobError, now: Date = new Date()): Promise<boolean> {
  const { rowCount } = await pool.query(REQUEUE_JOB_SQL, [jobId, JSON.stringify(error), now]);
  return rowCount === 1;
}
