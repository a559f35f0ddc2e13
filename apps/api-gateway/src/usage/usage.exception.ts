import { ConduitException } from '@conduit/runtime';

export enum UsageErrorCode {
  BudgetExceeded = 'budget_exceeded',
  RateLimitExceeded = 'rate_limit_exceeded',
  PricingUnavailable = 'pricing_unavailable',
  /** The model has no price and the tenant does not allow unpriced models (the same rule as the orchestrator's). */
  ModelNotPriced = 'model_not_priced',
  /** The API key's model allow-list does not name the model. */
  ModelNotAllowed = 'model_not_allowed',
  ControlsUnavailable = 'usage_controls_unavailable',
  InvalidRange = 'invalid_range',
}

export class UsageException extends ConduitException<UsageErrorCode> {}
