export const GATEWAY_USAGE_SETTINGS = Symbol('GATEWAY_USAGE_SETTINGS');

export interface GatewayUsageSettings {
  /** Where price quotes come from (the orchestrator knows routes and billed prices). */
  orchestratorUrl: string;
  internalToken?: string;
  /** How long a model's price quote is reused. */
  quoteTtlMs: number;
  /** Output bound of a call without `max_tokens` whose route does not bound it itself. */
  maxTokensLimit: number;
}
