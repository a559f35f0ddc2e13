/**
 * Provider prompt caching: where a request gets cache breakpoints.
 *
 * Anthropic caches a prompt prefix only when a block carries `cache_control`, and only when the
 * prefix up to that block is at least the model's minimum cacheable length; shorter breakpoints
 * are accepted but silently do nothing, so Conduit adds none. The minimums used here are the
 * published ones for the model classes Conduit routes to: 1024 tokens (Sonnet/Opus class) and
 * 2048 tokens (Haiku class). Token counts are estimated as `ceil(chars / 4)` (no tokenizer on the
 * request path); a breakpoint just below the real minimum only costs a no-op marker.
 *
 * OpenAI-wire providers cache automatically on the longest repeated prefix (≥ 1024 tokens): the
 * mapping keeps messages in their given order, and the pipeline puts stable parts (system prompt,
 * rendered template, grounding documents) before the conversation, so nothing is added there.
 */

/** Haiku-class models need a longer prefix before Anthropic caches it. */
export function anthropicMinCacheableTokens(model: string): number {
  return /haiku/i.test(model) ? 2048 : 1024;
}

/** Cheap token estimate for breakpoint decisions: ~4 characters per token. */
export function estimatePromptTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export const EPHEMERAL_CACHE = Object.freeze({ type: 'ephemeral' as const });
