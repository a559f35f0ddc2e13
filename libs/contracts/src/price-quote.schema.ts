import { z } from 'zod';

/**
 * What the orchestrator tells the gateway about a requested model (alias or concrete) so the
 * gateway can reserve budget before forwarding: the highest prices of any target in the model's
 * fallback chain (the call may end on any of them), in USD per 1M tokens. `GET /internal/pricing/quote?model=`.
 */
export const priceQuoteSchema = z.object({
  model: z.string(),
  /** Every target of the chain had a price; false means some target is unpriced (costs 0). */
  priced: z.boolean(),
  input_usd_per_mtok: z.number().min(0),
  output_usd_per_mtok: z.number().min(0),
  /**
   * Output tokens a call without `max_tokens` can produce at most when every target bounds it
   * (Anthropic's default `max_tokens`); null when some target does not.
   */
  default_max_output_tokens: z.number().int().min(1).nullable(),
  /** Prompt tokens the orchestrator may add from a session's history. */
  history_max_tokens: z.number().int().min(0),
});
export type PriceQuote = z.output<typeof priceQuoteSchema>;
