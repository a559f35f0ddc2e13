import { z } from 'zod';

const isoDay = z.iso.date('must be a date, YYYY-MM-DD');
const format = z.enum(['json', 'csv']).default('json');

/** `GET /v1/usage`: the caller's own usage, by day and model; `start`/`end` inclusive UTC days. */
export const usageQuerySchema = z.strictObject({ start: isoDay.optional(), end: isoDay.optional(), format });
export type UsageQuery = z.output<typeof usageQuerySchema>;

export const USAGE_DIMENSIONS = ['tenant', 'user', 'day', 'model'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

/** `GET /v1/admin/usage`: any tenant's or user's usage, grouped by the dimensions asked for. */
export const adminUsageQuerySchema = z.strictObject({
  tenant_id: z.uuid().optional(),
  user_id: z.uuid().optional(),
  start: isoDay.optional(),
  end: isoDay.optional(),
  group_by: z
    .string()
    .default('tenant,user,day,model')
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(USAGE_DIMENSIONS, `group_by takes ${USAGE_DIMENSIONS.join(', ')}`)).min(1)),
  format,
});
export type AdminUsageQuery = z.output<typeof adminUsageQuerySchema>;

/** One row of a usage report; the grouped dimensions are present, the others absent. */
export interface UsageRow {
  tenant_id?: string;
  user_id?: string | null;
  date?: string;
  model?: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
}

export interface UsageReport {
  object: 'usage';
  start: string;
  end: string;
  group_by: UsageDimension[];
  data: UsageRow[];
  totals: Omit<UsageRow, UsageDimension | 'tenant_id' | 'user_id' | 'date'>;
}
