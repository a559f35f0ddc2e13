import { ConduitException } from '@conduit/runtime';

export enum UsageErrorCode {
  BudgetExceeded = 'budget_exceeded',
  RateLimitExceeded = 'rate_limit_exceeded',
  PricingUnavailable = 'pricing_unavailable',
  ControlsUnavailable = 'usage_controls_unavailable',
  InvalidRange = 'invalid_range',
  AdminDisabled = 'admin_api_disabled',
  InvalidAdminKey = 'invalid_admin_key',
}

export class UsageException extends ConduitException {}
