import type { TierPolicy } from './policy/tier-policy';

export const BUDGET_OPTIONS = Symbol('BUDGET_OPTIONS');
export const BUDGET_REDIS = Symbol('BUDGET_REDIS');

export interface BudgetModuleOptions {
  redisUrl: string;
  /** Key prefix (the deployment's QUEUE_PREFIX). */
  prefix: string;
  policy: TierPolicy;
  /** How long a reservation holds budget without being settled or released. */
  reservationTtlMs: number;
  /** How long a settled cost stays held while billing has not committed it. */
  settledTtlMs: number;
  /** How long budget overrides are cached in process. */
  capCacheTtlMs: number;
  /** How often the price list is reloaded. */
  priceRefreshMs: number;
  /** Load the price list (billing, orchestrator); the gateway asks the orchestrator instead. */
  pricing: boolean;
}
