import { z } from 'zod';
import type { CoreSettings } from '@conduit/config';
import type { BudgetModuleOptions } from './budget.constants';
import { tierPolicyEnv, tierPolicyFromEnv, TierPolicyOverrides } from './policy/tier-policy';

const seconds = (fallback: number) => z.coerce.number().int().min(1).max(7 * 86_400).default(fallback);

/** Variables of the usage controls, shared by the gateway, the orchestrator and billing. */
export const budgetEnv = {
  ...tierPolicyEnv,
  /** A reservation not settled or released within this time stops holding budget. */
  BUDGET_RESERVATION_TTL_S: seconds(600),
  /** A settled cost stays held this long while billing has not recorded it. */
  BUDGET_SETTLED_TTL_S: seconds(3_600),
  BUDGET_CAP_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  PRICE_REFRESH_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
};

interface BudgetEnv {
  TIER_POLICY?: TierPolicyOverrides;
  BUDGET_RESERVATION_TTL_S: number;
  BUDGET_SETTLED_TTL_S: number;
  BUDGET_CAP_CACHE_TTL_MS: number;
  PRICE_REFRESH_MS: number;
}

export function budgetSettings(env: BudgetEnv, core: CoreSettings, pricing: boolean): BudgetModuleOptions {
  return {
    redisUrl: core.redis.url,
    prefix: core.redis.prefix,
    policy: tierPolicyFromEnv(env),
    reservationTtlMs: env.BUDGET_RESERVATION_TTL_S * 1_000,
    settledTtlMs: env.BUDGET_SETTLED_TTL_S * 1_000,
    capCacheTtlMs: env.BUDGET_CAP_CACHE_TTL_MS,
    priceRefreshMs: env.PRICE_REFRESH_MS,
    pricing,
  };
}
