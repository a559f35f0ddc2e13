import { Prisma } from '@conduit/db';

/** One aggregate slice: a tenant's scores of one model and template version on one UTC day. */
export interface AggregateSlice {
  tenantId: string;
  model: string;
  templateVersion: string | null;
  /** Midnight UTC of the day. */
  day: Date;
}

/**
 * Recomputes one slice of `eval_aggregates` from `eval_scores` (scores with status `ok`), under a
 * transaction-scoped advisory lock on the slice, so two jobs finishing together cannot leave the
 * aggregate of the one that read first. Deleting the slice first drops rubrics no longer scored.
 */
export function recomputeSliceSql(slice: AggregateSlice): Prisma.Sql[] {
  const next = new Date(slice.day.getTime() + 86_400_000);
  const version = slice.templateVersion;
  const day = isoDay(slice.day);
  return [
    Prisma.sql`SELECT pg_advisory_xact_lock(hashtext(${`eval-aggregate:${slice.tenantId}:${slice.model}:${version ?? ''}:${day}`}))`,
    Prisma.sql`DELETE FROM eval_aggregates
      WHERE tenant_id = ${slice.tenantId}::uuid AND model = ${slice.model} AND template_version IS NOT DISTINCT FROM ${version}::text AND day = ${day}::date`,
    Prisma.sql`INSERT INTO eval_aggregates (id, dimension_key, tenant_id, template_version, model, rubric, day, n, sum, sum_sq, updated_at)
      SELECT gen_random_uuid(), md5(json_build_array(tenant_id, template_version, model, rubric, ${day}::date)::text),
             tenant_id, template_version, model, rubric, ${day}::date, count(*)::int, sum(score), sum(score * score), now()
        FROM eval_scores
       WHERE tenant_id = ${slice.tenantId}::uuid AND model = ${slice.model} AND template_version IS NOT DISTINCT FROM ${version}::text
         AND turn_at >= ${slice.day} AND turn_at < ${next} AND status = 'ok' AND score IS NOT NULL
       GROUP BY tenant_id, template_version, model, rubric
      ON CONFLICT (dimension_key) DO UPDATE SET n = EXCLUDED.n, sum = EXCLUDED.sum, sum_sq = EXCLUDED.sum_sq, updated_at = now()`,
  ];
}

/** Midnight UTC of the instant's day. */
export function utcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** `YYYY-MM-DD` of the instant's UTC day (what a `date` column is compared with, whatever the session's time zone). */
export function isoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
