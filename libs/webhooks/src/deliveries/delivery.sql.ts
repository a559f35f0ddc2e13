import { type WebhookDelivery, selectList } from '@conduit/db';

/*
 * The statements of `webhook_deliveries` and `webhook_delivery_attempts` that run for every
 * webhook (the outbox insert, the worker's claim and attempt log) as plain SQL on the pg pool under
 * Prisma (`PrismaService.pg`): Prisma's ORM path cost several times the statement. Names, enum
 * types and defaults follow prisma/migrations; the Prisma-side ones (`@updatedAt`, and the `now()`
 * defaults Prisma's createMany fills in itself) are given explicitly. Only `DeliveryStore` runs
 * them; `delivery.store.int-spec.ts` proves them.
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

/** SQL expressions (parameters, or columns of the producer's row) that make up an outbox delivery. */
export interface OutboxDeliveryValues {
  id: string;
  tenantId: string;
  jobId: string;
  /** Also the condition: no URL, no delivery. */
  url: string;
  eventType: string;
  traceparent: string;
  now: string;
}

/**
 * The outbox half of a producer's own statement: a data-modifying CTE body that stores the
 * delivery of the event the statement's change causes, selected from `source` (the producer's
 * CTE of changed rows), so the delivery exists if and only if the change committed — in one
 * statement, without a transaction's extra round trips. The body is left NULL: the worker's
 * first attempt fills it in from the event it was given (or the reconciler renders it from the
 * source row). A second insert of the same id is a no-op.
 */
export function outboxDeliverySql(source: string, v: OutboxDeliveryValues): string {
  return `INSERT INTO webhook_deliveries (id, tenant_id, job_id, url, event_type, body, status, attempts, series, series_started_at,
                                  series_attempts, next_attempt_at, traceparent, created_at, updated_at)
  SELECT ${v.id}, ${v.tenantId}, ${v.jobId}, ${v.url}, ${v.eventType}, NULL, 'pending', 0, 0, ${v.now},
         0, ${v.now}, ${v.traceparent}, ${v.now}, ${v.now}
    FROM ${source} WHERE ${v.url} IS NOT NULL
  ON CONFLICT (id) DO NOTHING`;
}

/** SQL expressions for {@link subscribedOutboxSql}. */
export interface SubscribedOutboxValues {
  tenantId: string;
  jobId: string;
  /** The job's own URL (its delivery is {@link outboxDeliverySql}'s): not sent twice. */
  url: string;
  eventType: string;
  traceparent: string;
  now: string;
}

/**
 * The other outbox half of a job's finish: one delivery per enabled registered endpoint of the
 * tenant subscribed to the event type (besides the job's own `webhook_url`), selected from
 * `source`, with deterministic ids (a version-5-shaped uuid from `md5('job-event:<job>:<endpoint>')`), so a repeated finish
 * stores nothing twice. Bodies are left NULL: the worker's first attempt (or the reconciler)
 * renders them from the job.
 */
export function subscribedOutboxSql(source: string, v: SubscribedOutboxValues): string {
  return `INSERT INTO webhook_deliveries (id, tenant_id, job_id, url, event_type, body, status, attempts, series, series_started_at,
                                  series_attempts, next_attempt_at, traceparent, created_at, updated_at)
  SELECT (substr(k.h, 1, 8) || '-' || substr(k.h, 9, 4) || '-5' || substr(k.h, 14, 3) || '-8' || substr(k.h, 18, 3) || '-' || substr(k.h, 21, 12))::uuid,
         ${v.tenantId}, ${v.jobId}, e.url, ${v.eventType}, NULL, 'pending', 0, 0, ${v.now},
         0, ${v.now}, ${v.traceparent}, ${v.now}, ${v.now}
    FROM ${source}
    JOIN webhook_endpoints e ON e.tenant_id = ${v.tenantId} AND e.registered AND e.disabled_at IS NULL AND ${v.eventType}::text = ANY (e.event_types)
    CROSS JOIN LATERAL (SELECT md5('job-event:' || ${v.jobId}::text || ':' || e.id::text) AS h) k
   WHERE e.url IS DISTINCT FROM ${v.url}
  ON CONFLICT (id) DO NOTHING`;
}

/**
 * The worker's claim of deliveries, in one round trip for any number of them (the dispatcher
 * coalesces the claims of concurrently starting runs): each row as its producer stored it, with
 * an outbox row's body filled in from the event the worker was given (only by a worker of the same
 * tenant), or — for an event enqueued without a row (queued before outbox rows existed) — the row
 * stored now (pending, nothing attempted, its series starting now). The second branch reads the
 * statement's snapshot, which cannot see a row that a concurrent first run committed while this
 * INSERT waited on it; the caller then reads those again ({@link GET_DELIVERIES_SQL}). The ids of
 * one call are distinct (the store runs repeats in a later statement) and sorted (rows are locked
 * in one order by every worker). Arrays, one element per claim: $1 id, $2 tenant, $3 job, $4 url,
 * $5 event type, $6 body, $7 series, $8 now, $9 next attempt, $10 traceparent.
 */
export const CLAIM_DELIVERIES_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::integer[], $8::timestamptz[],
                       $9::timestamptz[], $10::text[])
    AS i(id, tenant_id, job_id, url, event_type, body, series, now, next_at, traceparent)
), claimed AS (
  INSERT INTO webhook_deliveries AS d (id, tenant_id, job_id, url, event_type, body, status, attempts, series, series_started_at,
                                       series_attempts, next_attempt_at, traceparent, created_at, updated_at)
  SELECT id, tenant_id, job_id, url, event_type, body, 'pending', 0, series, now, 0, next_at, traceparent, now, now
    FROM input ORDER BY id
  ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at
   WHERE d.body IS NULL AND d.tenant_id = EXCLUDED.tenant_id
  RETURNING ${DELIVERY_COLUMNS}
)
SELECT * FROM claimed
UNION ALL
SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ANY ($1::uuid[]) AND id NOT IN (SELECT id FROM claimed)`;

export const GET_DELIVERIES_SQL = `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ANY ($1::uuid[])`;

/**
 * Logs attempts and moves their deliveries on, in one statement for any number of them (the
 * dispatcher coalesces the attempts of concurrently running deliveries). Each update only applies
 * while its delivery is where the attempt found it (same attempt count and series); a re-logged
 * attempt is ignored. Returns the ids of the deliveries moved on. The ids of one call are
 * distinct (the store runs repeats in a later statement). Arrays, one element per attempt:
 * $1 id, $2 attempt, $3 started at, $4 duration, $5 status code, $6 error code, $7 error message,
 * $8 response body, $9 next attempt, $10 series attempts, $11 status, $12 last error,
 * $13 delivered at (NULL: unchanged), $14 now, $15 attempts found, $16 series found.
 */
export const RECORD_ATTEMPTS_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::integer[], $3::timestamptz[], $4::integer[], $5::integer[], $6::text[], $7::text[], $8::text[],
                       $9::timestamptz[], $10::integer[], $11::"WebhookDeliveryStatus"[], $12::text[], $13::timestamptz[], $14::timestamptz[],
                       $15::integer[], $16::integer[])
    AS i(id, attempt, started_at, duration_ms, status_code, error_code, error_message, response_body,
         next_at, series_attempts, status, last_error, delivered_at, now, attempts_found, series_found)
), logged AS (
  INSERT INTO webhook_delivery_attempts
    (delivery_id, attempt, started_at, duration_ms, status_code, error_code, error_message, response_body, next_retry_at)
  SELECT id, attempt, started_at, duration_ms, status_code, error_code, error_message, response_body, next_at FROM input
  ON CONFLICT DO NOTHING
)
UPDATE webhook_deliveries d
   SET attempts = i.attempt, series_attempts = i.series_attempts, status = i.status,
       next_attempt_at = i.next_at, last_error = i.last_error, delivered_at = COALESCE(i.delivered_at, d.delivered_at),
       updated_at = i.now
  FROM input i
 WHERE d.id = i.id AND d.attempts = i.attempts_found AND d.series = i.series_found
RETURNING d.id`;

/** Closes a pending delivery without an attempt. $1 id, $2 status, $3 last error, $4 now. */
export const CLOSE_DELIVERY_SQL = `
UPDATE webhook_deliveries
   SET status = $2::"WebhookDeliveryStatus", last_error = $3, next_attempt_at = NULL, updated_at = $4::timestamptz
 WHERE id = $1::uuid AND status = 'pending'`;
