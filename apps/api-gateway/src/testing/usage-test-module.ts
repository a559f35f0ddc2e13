import type { DynamicModule } from '@nestjs/common';
import { DEFAULT_TIER_POLICY, mergeTierPolicy, TierPolicyOverrides } from '@conduit/budget';
import { UsageModule } from '../usage/usage.module';

export interface UsageTestModuleOptions {
  /** The app's Redis key prefix (its QUEUE_PREFIX), so budgets never leak between suites. */
  prefix: string;
  /** Where price quotes come from (see `startPriceQuoteServer`). */
  quotesUrl: string;
  internalToken: string;
  policy?: TierPolicyOverrides;
}

/** The gateway's UsageModule as the app registers it, with test-sized settings (no caching of caps). */
export function usageTestModule(options: UsageTestModuleOptions): DynamicModule {
  return UsageModule.register(
    {
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      prefix: options.prefix,
      policy: mergeTierPolicy(options.policy, DEFAULT_TIER_POLICY),
      reservationTtlMs: 60_000,
      settledTtlMs: 60_000,
      capCacheTtlMs: 0,
      priceRefreshMs: 60_000,
      pricing: false,
    },
    { orchestratorUrl: options.quotesUrl, internalToken: options.internalToken, quoteTtlMs: 60_000, maxTokensLimit: 4_096 },
  );
}
