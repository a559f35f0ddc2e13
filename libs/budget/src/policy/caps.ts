import type { BudgetPeriod, BudgetScope } from '../windows';
import type { Tier, TierPolicy } from './tier-policy';

/** Where a cap came from: the tier's default, or an override stored for the tenant, user or API key. */
export type CapSource = 'tier_default' | 'override';

export interface Cap {
  /** USD; null = no cap. */
  usd: number | null;
  source: CapSource;
}

export type ResolvedCaps = Record<BudgetScope, Record<BudgetPeriod, Cap>>;

/** A stored override (`budget_caps` row): `usd` null means "explicitly no cap". */
export interface CapOverride {
  scope: BudgetScope;
  period: BudgetPeriod;
  usd: number | null;
}

export interface CapSubject {
  userTier: Tier;
  tenantTier: Tier;
}

/**
 * Tier defaults overlaid by overrides: a user's caps follow the user's tier, a tenant's its tier.
 * An API key has no tier default: its caps exist only as overrides.
 */
export function resolveCaps(policy: TierPolicy, subject: CapSubject, overrides: CapOverride[]): ResolvedCaps {
  const user = policy[subject.userTier];
  const tenant = policy[subject.tenantTier];
  const caps: ResolvedCaps = {
    user: {
      daily: { usd: user.user_daily_usd, source: 'tier_default' },
      monthly: { usd: user.user_monthly_usd, source: 'tier_default' },
    },
    tenant: {
      daily: { usd: tenant.tenant_daily_usd, source: 'tier_default' },
      monthly: { usd: tenant.tenant_monthly_usd, source: 'tier_default' },
    },
    key: {
      daily: { usd: null, source: 'tier_default' },
      monthly: { usd: null, source: 'tier_default' },
    },
  };
  for (const override of overrides) caps[override.scope][override.period] = { usd: override.usd, source: 'override' };
  return caps;
}

/** Rate limits that apply to one call (null = unlimited). */
export interface RateLimits {
  keyRpm: number | null;
  keyTpm: number | null;
  userRpm: number | null;
  userTpm: number | null;
}

export function rateLimitsFor(policy: TierPolicy, userTier: Tier): RateLimits {
  const limits = policy[userTier];
  return { keyRpm: limits.key_rpm, keyTpm: limits.key_tpm, userRpm: limits.user_rpm, userTpm: limits.user_tpm };
}
