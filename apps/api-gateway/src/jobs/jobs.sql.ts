import type { Pool } from 'pg';
import type { Job } from '@conduit/db';

/**
 * The submit path's one write, as plain SQL on the pg pool under Prisma (`PrismaService.pg`):
 * Prisma's raw path (`$executeRaw`) still cost several times the statement on every submission.
 * The columns are the ones `submit` decides; the rest are left to their database defaults
 * (`items_succeeded`/`items_failed` 0, the nullable ones NULL). `created_at` and `updated_at`
 * are given explicitly: the latter is Prisma-side (`@updatedAt`, no database default), and both
 * must equal the job object the API answers with. A replayed Idempotency-Key conflicts on
 * (tenant, user, key) and inserts nothing. `jobs.sql.int-spec.ts` compares the row with Prisma's.
 */
export const INSERT_JOB_SQL = `
INSERT INTO jobs (id, tenant_id, user_id, api_key_id, type, status, input, metadata, webhook_url, idempotency_key, request_hash,
                  request_id, traceparent, attempts, max_attempts, items_total, created_at, updated_at, deadline_at)
VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, 'queued', $6::jsonb, $7::jsonb, $8, $9, $10,
        $11, $12, 0, $13::integer, $14::integer, $15::timestamptz, $16::timestamptz, $17::timestamptz)
ON CONFLICT (tenant_id, user_id, idempotency_key) DO NOTHING`;

/** The fields of a new job that the INSERT stores; the others are its defaults (queued, nothing run yet). */
export type NewJobRow = Pick<
  Job,
  | 'id'
  | 'tenantId'
  | 'userId'
  | 'apiKeyId'
  | 'type'
  | 'input'
  | 'metadata'
  | 'webhookUrl'
  | 'idempotencyKey'
  | 'requestHash'
  | 'requestId'
  | 'traceparent'
  | 'maxAttempts'
  | 'itemsTotal'
  | 'createdAt'
  | 'updatedAt'
  | 'deadlineAt'
>;

/** Stores a submitted job; false when its Idempotency-Key was already used (nothing inserted). */
export async function insertJob(pool: Pool, job: NewJobRow): Promise<boolean> {
  const { rowCount } = await pool.query(INSERT_JOB_SQL, [
    job.id,
    job.tenantId,
    job.userId,
    job.apiKeyId,
    job.type,
    JSON.stringify(job.input),
    JSON.stringify(job.metadata),
    job.webhookUrl,
    job.idempotencyKey,
    job.requestHash,
    job.requestId,
    job.traceparent,
    job.maxAttempts,
    job.itemsTotal,
    job.createdAt,
    job.updatedAt,
    job.deadlineAt,
  ]);
  return rowCount === 1;
}
