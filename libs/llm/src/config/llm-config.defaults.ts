/**
 * Built-in configuration: the two hosted providers (usable once their API key is set) and the
 * `default` route. Prices are not configured here: they are the billing price list
 * (`model_prices`, `@conduit/budget`).
 */

export const DEFAULT_ROUTE_ALIAS = 'default';

export const DEFAULT_PROVIDERS = [
  { name: 'anthropic', kind: 'anthropic' },
  { name: 'openai', kind: 'openai' },
] as const;

/** Anthropic first, then OpenAI, then a cheaper model as the last resort. */
export const DEFAULT_ROUTES: Record<string, { provider: string; model: string }[]> = {
  [DEFAULT_ROUTE_ALIAS]: [
    { provider: 'anthropic', model: 'claude-sonnet-4-6' },
    { provider: 'openai', model: 'gpt-4.1' },
    { provider: 'openai', model: 'gpt-4.1-mini' },
  ],
};

/** Environment variable that conventionally holds each built-in provider's key (for messages). */
export const BUILTIN_KEY_VARIABLES: Record<string, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
};
