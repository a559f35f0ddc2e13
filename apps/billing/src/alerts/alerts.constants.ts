import type { WebhookEventType } from '@conduit/contracts';
import type { AlertSettings } from '../config/billing.config';

export const ALERT_SETTINGS = Symbol('ALERT_SETTINGS');
export type { AlertSettings };

/** Budget thresholds that raise an alert, in percent of a cap. */
export const THRESHOLDS_PCT = [80, 100] as const;

/** Webhook event types of cost alerts: 80 % of a cap, 100 % of a cap, an hourly spend spike. */
export const AlertEvent = {
  BudgetThreshold: 'budget.threshold',
  BudgetExceeded: 'budget.exceeded',
  CostSpike: 'cost.spike',
} as const satisfies Record<string, WebhookEventType>;
