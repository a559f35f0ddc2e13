import type { AlertSettings } from '../config/billing.config';

export const ALERT_SETTINGS = Symbol('ALERT_SETTINGS');
export type { AlertSettings };

/** Budget thresholds that raise an alert, in percent of a cap. */
export const THRESHOLDS_PCT = [80, 100] as const;

/** Webhook event types of cost alerts. */
export const AlertEvent = {
  BudgetThreshold: 'budget.threshold_reached',
  SpendSpike: 'spend.spike_detected',
  /** A spike that suspended the tenant (`on_cost_spike: suspend`); `data.action` is `suspended`. */
  CostSpike: 'cost.spike',
} as const;
