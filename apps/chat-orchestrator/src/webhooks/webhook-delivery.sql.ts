import type { Pool } from 'pg';
import type { Prisma, WebhookDelivery } from '@conduit/db';
import type { WebhookSendResult } from '@conduit/webhooks';
import { selectList } from '@conduit/db';

/*
 * The delivery worker's per-attempt statements as plain SQL on the pg pool under Prisma
 * (`PrismaService.pg`): they run for every webhook attempt, and Prisma's ORM path cost several
 * times the statement. Names, enum types and defaults follow prisma/migrations; the Prisma-side
 * ones (`@updatedAt`, and the `now()` defaults Prisma's createMany fills in itself) are given
 * explicitly. `webhook-delivery.sql.int-spec.ts` compares the rows with Prisma's.
 */

/** Every column of `webhook_deliveries`, keyed by its Prisma field. */
const DELIVERY_FIELDS = {
  id: 'id',
  tenantId: 'tenant_id',
  jobId: 'job_id',
  url: 'url',
  eventType: 'event_type',
  body: 'body',
  status: 'status',
  attempts: 'attempts',
  series: 'series',
  seriesStartedAt: 'series_started_at',
  seriesAttempts: 'series_attempts',
  nextAttemptAt: 'next_attempt_at',
  lastError: 'last_error',
  traceparent: 'traceparent',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  deliveredAt: 'delivered_at',
} satisfies Record<keyof WebhookDelivery, string>;

/** A `webhook_deliveries` row in the shape of Prisma's `WebhookDelivery`. */
export const DELIVERY_COLUMNS = selectList(DELIVERY_FIELDS);

/**
 * Create-or-get in one round trip: the delivery as the first run stores it (pending, nothing
 * attempted, its series starting now: the values Prisma's createMany wrote, `now` standing for the
 * one timestamp it used for all three defaults), or the row a previous run stored. The second
 * branch reads the statement's snapshot, which cannot see a row that a concurrent first run
 * committed while this INSERT waited on it; the caller then reads again ({@link GET_DELIVERY_SQL}).
 * $1 id, $2 tenant, $3 job, $4 url, $5 event type, $6 body, $7 series, $8 now, $9 next attempt,
 * $10 traceparent.
 */
export const CREATE_OR_GET_DELIVERY_SQL = `
WITH inserted AS (
  INSERT INTO webhook_deliveries (id, tenant_id, job_id, url, event_type, body, status, attempts, series, series_started_at,
                                  series_attempts, next_attempt_at, traceparent, created_at, updated_at)
  VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, 'pending', 0, $7::integer, $8::timestamptz,
          0, $9::timestamptz, $10, $8::timestamptz, $8::timestamptz)
  ON CONFLICT DO NOTHING
  RETURNING ${DELIVERY_COLUMNS}
)
SELECT * FROM inserted
UNION ALL
SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1::uuid AND NOT EXISTS (SELECT 1 FROM inserted)`;

export const GET_DELIVERY_SQL = `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1::uuid`;

/**
 * Logs an attempt and moves the delivery on, in one statement. The update only applies while the
 * delivery is where the attempt found it (same attempt count and series); a re-logged attempt is
 * ignored. $1 id, $2 attempt, $3 started at, $4 duration, $5 status code, $6 error code,
 * $7 error message, $8 response body, $9 next attempt, $10 series attempts, $11 status,
 * $12 last error, $13 delivered at (NULL: unchanged), $14 now, $15 attempts found, $16 series found.
 */
export const RECORD_ATTEMPT_SQL = `
WITH logged AS (
  INSERT INTO webhook_delivery_attempts
    (delivery_id, attempt, started_at, duration_ms, status_code, error_code, error_message, response_body, next_retry_at)
  VALUES ($1::uuid, $2::integer, $3::timestamptz, $4::integer, $5::integer, $6, $7, $8, $9::timestamptz)
  ON CONFLICT DO NOTHING
)
UPDATE webhook_deliveries
   SET attempts = $2::integer, series_attempts = $10::integer, status = $11::"WebhookDeliveryStatus",
       next_attempt_at = $9::timestamptz, last_error = $12, delivered_at = COALESCE($13::timestamptz, delivered_at),
       updated_at = $14::timestamptz
 WHERE id = $1::uuid AND attempts = $15::integer AND series = $16::integer`;

/** Closes a pending delivery without an attempt. $1 id, $2 status, $3 last error, $4 now. */
export const CLOSE_DELIVERY_SQL = `
UPDATE webhook_deliveries
   SET status = $2::"WebhookDeliveryStatus", last_error = $3, next_attempt_at = NULL, updated_at = $4::timestamptz
 WHERE id = $1::uuid AND status = 'pending'`;

/** What a first run stores: the fields `webhookDeliveryRow` fills in (the others are the defaults above). */
export type NewDeliveryRow = Pick<Prisma.WebhookDeliveryCreateManyInput, 'id' | 'tenantId' | 'jobId' | 'url' | 'eventType' | 'body' | 'series' | 'nextAttemptAt' | 'traceparent'>;

/** The delivery, stored now or by an earlier run of the same id (whatever its tenant: the caller checks). */
export async function createOrGetDelivery(pool: Pool, row: NewDeliveryRow, now: Date = new Date()): Promise<WebhookDelivery | null> {
  const { rows } = await pool.query<WebhookDelivery>(CREATE_OR_GET_DELIVERY_SQL, [
    row.id,
    row.tenantId,
    row.jobId ?? null,
    row.url,
    row.eventType,
    row.body,
    row.series ?? 0,
    now,
    row.nextAttemptAt ?? null,
    row.traceparent ?? null,
  ]);
  if (rows[0]) return rows[0];
  const again = await pool.query<WebhookDelivery>(GET_DELIVERY_SQL, [row.id]);
  return again.rows[0] ?? null;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  result: Pick<WebhookSendResult, 'durationMs' | 'statusCode' | 'error' | 'responseBody'>;
  /** Where the delivery goes next, and why it is not delivered (null once it is). */
  status: 'pending' | 'succeeded' | 'failed';
  nextAt: Date | null;
  lastError: string | null;
}

/** Logs the attempt and applies its outcome; false when the delivery had moved on meanwhile. */
export async function recordAttempt(
  pool: Pool,
  delivery: Pick<WebhookDelivery, 'id' | 'attempts' | 'series' | 'seriesAttempts'>,
  record: AttemptRecord,
  now: Date = new Date(),
): Promise<boolean> {
  const { result } = record;
  const { rowCount } = await pool.query(RECORD_ATTEMPT_SQL, [
    delivery.id,
    record.attempt,
    record.startedAt,
    result.durationMs,
    result.statusCode,
    result.error?.code ?? null,
    result.error?.message ?? null,
    result.responseBody,
    record.nextAt,
    delivery.seriesAttempts + 1,
    record.status,
    record.lastError,
    record.status === 'succeeded' ? now : null,
    now,
    delivery.attempts,
    delivery.series,
  ]);
  return rowCount === 1;
}

/** Closes a still-pending delivery (e.g. its endpoint is disabled); false when it was no longer pending. */
export async function closeDelivery(pool: Pool, deliveryId: string, status: 'failed', lastError: string, now: Date = new Date()): Promise<boolean> {
  const { rowCount } = await pool.query(CLOSE_DELIVERY_SQL, [deliveryId, status, lastError, now]);
  return rowCount === 1;
}
