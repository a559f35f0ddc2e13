/**
 * Built-in configuration: the two hosted providers (usable once their API key is set), the
 * `default` route, and list prices in USD per 1M tokens as published at the dates given. Prices
 * change: override them in the config file (a newer `effective_from` entry wins).
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

export interface PriceEntryInput {
  effective_from: string;
  input: number;
  output: number;
  cached_input?: number;
}

export const DEFAULT_PRICING: Record<string, PriceEntryInput[]> = {
  'claude-sonnet-4-6*': [{ effective_from: '2026-02-17', input: 3, output: 15, cached_input: 0.3 }],
  'claude-sonnet-4-5*': [{ effective_from: '2025-09-29', input: 3, output: 15, cached_input: 0.3 }],
  'claude-haiku-4-5*': [{ effective_from: '2025-10-15', input: 1, output: 5, cached_input: 0.1 }],
  'claude-opus-4-1*': [{ effective_from: '2025-08-05', input: 15, output: 75, cached_input: 1.5 }],
  'gpt-4.1': [{ effective_from: '2025-04-14', input: 2, output: 8, cached_input: 0.5 }],
  'gpt-4.1-mini': [{ effective_from: '2025-04-14', input: 0.4, output: 1.6, cached_input: 0.1 }],
  'gpt-4.1-nano': [{ effective_from: '2025-04-14', input: 0.1, output: 0.4, cached_input: 0.025 }],
  'gpt-4o': [{ effective_from: '2024-08-06', input: 2.5, output: 10, cached_input: 1.25 }],
  'gpt-4o-mini': [{ effective_from: '2024-07-18', input: 0.15, output: 0.6, cached_input: 0.075 }],
};

/** Environment variable that conventionally holds each built-in provider's key (for messages). */
export const BUILTIN_KEY_VARIABLES: Record<string, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
};
