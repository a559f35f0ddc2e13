import { ConduitException } from '@conduit/runtime';

export enum UsageErrorCode {
  /** No route or provider serves the model (price quotes; a chat call reports it as the LLM layer does). */
  ModelNotFound = 'model_not_found',
  /** Some target of the model's route has no price in force, and the tenant does not allow unpriced models. */
  ModelNotPriced = 'model_not_priced',
  /** The price list could not be loaded. */
  PricingUnavailable = 'pricing_unavailable',
}

export class UsageException extends ConduitException<UsageErrorCode> {}
