export { BudgetModule } from './budget.module';
export { BUDGET_OPTIONS, BUDGET_REDIS } from './budget.constants';
export type { BudgetModuleOptions } from './budget.constants';
export { budgetEnv, budgetSettings } from './budget.env';
export { LedgerAnonymiser } from './ledger-anonymiser';
export { LedgerSpend } from './ledger-spend';
export type { SpendRequest } from './ledger-spend';
export { NANO_PER_USD, decimalToNano, displayUsd, fromNano, nanoToDecimalString, toNano, toNanoCeil } from './money';
export { dayOf, hourOf, windowOf } from './windows';
export type { BudgetPeriod, BudgetScope, BudgetWindow } from './windows';
export { DEFAULT_TIER_POLICY, mergeTierPolicy, tierPolicyEnv, tierPolicyFromEnv } from './policy/tier-policy';
export type { Tier, TierLimits, TierPolicy, TierPolicyOverrides } from './policy/tier-policy';
export { rateLimitsFor, resolveCaps } from './policy/caps';
export type { Cap, CapOverride, CapSource, CapSubject, RateLimits, ResolvedCaps } from './policy/caps';
export { BudgetCapStore } from './policy/budget-cap.store';
export type { StoredCap } from './policy/budget-cap.store';
export { PriceListStore } from './pricing/price-list.store';
export type { PriceVersion } from './pricing/price-list.store';
export { LoadingCache } from './policy/loading-cache';
export { modelNotPricedMessage, UnpricedModelPolicy } from './policy/unpriced-models.policy';
export { ReservationSettler } from './reservation.settler';
export type { ReservationRef } from './reservation.settler';
export { PriceBook, pricingTableOf } from './pricing/price-book';
export type { PricedUsage, PriceRow } from './pricing/price-book';
export { PricingTable } from './pricing/pricing-table';
export type { CostEstimate, ModelPrice, PriceEntry, TokenCounts } from './pricing/pricing-table';
export { UsageControls } from './redis/usage-controls';
export type {
  AdmitInput,
  AdmitOutcome,
  BudgetRefusal,
  CommitInput,
  CounterSnapshot,
  RateRefusal,
  RateState,
  RateWindowState,
  SettleState,
  SpendSource,
  UsageControlsOptions,
} from './redis/usage-controls';
export { UsageKeys } from './redis/usage-keys';
export type { CounterRef } from './redis/usage-keys';
export { UsageEventProducer } from './usage/usage-events.producer';
