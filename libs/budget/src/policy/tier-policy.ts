import { z } from 'zod';

export const TIERS = ['free', 'pro', 'enterprise'] as const;
export type Tier = (typeof TIERS)[number];

/** `null` means "no limit". */
const count = z.number().int().min(0).nullable();
const usd = z.number().min(0).nullable();

/** What one tier is allowed: rate limits per API key and per user, and default cost caps. */
export const tierLimitsSchema = z.strictObject({
  /** Requests per minute per API key. */
  key_rpm: count,
  /** Tokens (prompt estimate + max_tokens, corrected to actual usage) per minute per API key. */
  key_tpm: count,
  user_rpm: count,
  user_tpm: count,
  /** Default caps in USD; a tenant's caps use the tenant's tier, a user's caps the user's tier. */
  user_daily_usd: usd,
  user_monthly_usd: usd,
  tenant_daily_usd: usd,
  tenant_monthly_usd: usd,
});
export type TierLimits = z.output<typeof tierLimitsSchema>;
export type TierPolicy = Record<Tier, TierLimits>;

/**
 * Built-in policy: rate limits on, cost caps off. Nobody is ever blocked for money unless a cap was
 * configured (here, through `TIER_POLICY`, or per tenant/user with `admin set-budget`).
 */
export const DEFAULT_TIER_POLICY: TierPolicy = {
  free: {
    key_rpm: 60,
    key_tpm: 100_000,
    user_rpm: 120,
    user_tpm: 200_000,
    user_daily_usd: null,
    user_monthly_usd: null,
    tenant_daily_usd: null,
    tenant_monthly_usd: null,
  },
  pro: {
    key_rpm: 1_000,
    key_tpm: 2_000_000,
    user_rpm: 2_000,
    user_tpm: 4_000_000,
    user_daily_usd: null,
    user_monthly_usd: null,
    tenant_daily_usd: null,
    tenant_monthly_usd: null,
  },
  enterprise: {
    key_rpm: 10_000,
    key_tpm: 20_000_000,
    user_rpm: null,
    user_tpm: null,
    user_daily_usd: null,
    user_monthly_usd: null,
    tenant_daily_usd: null,
    tenant_monthly_usd: null,
  },
};

/** `TIER_POLICY`: JSON, per tier any subset of the fields, merged over {@link DEFAULT_TIER_POLICY}. */
export const tierPolicyOverridesSchema = z.strictObject({
  free: tierLimitsSchema.partial().optional(),
  pro: tierLimitsSchema.partial().optional(),
  enterprise: tierLimitsSchema.partial().optional(),
});
export type TierPolicyOverrides = z.output<typeof tierPolicyOverridesSchema>;

export function mergeTierPolicy(overrides: TierPolicyOverrides = {}, base: TierPolicy = DEFAULT_TIER_POLICY): TierPolicy {
  return {
    free: { ...base.free, ...overrides.free },
    pro: { ...base.pro, ...overrides.pro },
    enterprise: { ...base.enterprise, ...overrides.enterprise },
  };
}

/** A JSON-valued environment variable checked by `schema`; problems name the nested field. */
export function jsonEnv<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be JSON (${(error as Error).message})` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Environment variables of the tier policy (gateway and billing read the same one). */
export const tierPolicyEnv = {
  TIER_POLICY: jsonEnv(tierPolicyOverridesSchema).optional(),
};

export function tierPolicyFromEnv(env: { TIER_POLICY?: TierPolicyOverrides }): TierPolicy {
  return mergeTierPolicy(env.TIER_POLICY ?? {});
}
