import { z } from 'zod';
import { UsageErrorCode } from './usage.exception';

/** Usage dates: UTC days `YYYY-MM-DD` from 1970-01-01 to 9999-12-30 (a report's end is exclusive the day after). */
export const USAGE_FIRST_DAY = '1970-01-01';
export const USAGE_LAST_DAY = '9999-12-30';
const isoDay = z.iso.date('must be a date, YYYY-MM-DD').superRefine((day, ctx) => {
  if (day < USAGE_FIRST_DAY || day > USAGE_LAST_DAY) {
    ctx.addIssue({ code: 'custom', message: `must be a date from ${USAGE_FIRST_DAY} to ${USAGE_LAST_DAY}`, params: { code: UsageErrorCode.InvalidRange } });
  }
});
const format = z.enum(['json', 'csv']).default('json');

export const USAGE_DIMENSIONS = ['tenant', 'user', 'day', 'model', 'prompt'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];
/** What `GET /v1/usage` may group by: `prompt` is the prompt template and version (`prompt_name`, `prompt_version`). */
export const OWN_USAGE_DIMENSIONS = ['day', 'model', 'prompt'] as const;

/** `group_by`: comma-separated dimensions out of `dimensions`. */
function groupByParam<const D extends readonly [UsageDimension, ...UsageDimension[]]>(dimensions: D, defaults: string) {
  return z
    .string()
    .default(defaults)
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(dimensions, `group_by takes ${dimensions.join(', ')}`)).min(1));
}

/**
 * `GET /v1/usage`: the caller's own usage, by day and model unless `group_by` says otherwise
 * (`group_by=prompt` or `day,prompt`: by prompt template version); `start`/`end` inclusive UTC days.
 */
export const usageQuerySchema = z.strictObject({
  start: isoDay.optional(),
  end: isoDay.optional(),
  group_by: groupByParam(OWN_USAGE_DIMENSIONS, 'day,model'),
  format,
});
export type UsageQuery = z.output<typeof usageQuerySchema>;

/** `GET /v1/admin/usage`: any tenant's or user's usage, grouped by the dimensions asked for. */
export const adminUsageQuerySchema = z.strictObject({
  tenant_id: z.uuid().optional(),
  user_id: z.uuid().optional(),
  start: isoDay.optional(),
  end: isoDay.optional(),
  group_by: groupByParam(USAGE_DIMENSIONS, 'tenant,user,day,model'),
  format,
});
export type AdminUsageQuery = z.output<typeof adminUsageQuerySchema>;

/** One row of a usage report; the grouped dimensions are present, the others absent. */
export interface UsageRow {
  tenant_id?: string;
  user_id?: string | null;
  date?: string;
  model?: string;
  /** Grouped by `prompt`: the template and version (null: calls without a template). */
  prompt_name?: string | null;
  prompt_version?: number | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  /** Requests answered from the response cache (no provider tokens, billed at zero). */
  cache_hits: number;
  /** What those hits saved: the cost of the calls whose answers they replayed. */
  cost_saved_usd: number;
}

export interface UsageReport {
  object: 'usage';
  start: string;
  end: string;
  group_by: UsageDimension[];
  data: UsageRow[];
  totals: Omit<UsageRow, UsageDimension | 'tenant_id' | 'user_id' | 'date' | 'prompt_name' | 'prompt_version'>;
}
