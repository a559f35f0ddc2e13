import type { RateState } from '@conduit/budget';

/** A duration as OpenAI writes it in `x-ratelimit-reset-*`: `250ms`, `1.5s`, `6m0s`. */
export function formatResetDuration(ms: number): string {
  const value = Math.max(0, Math.ceil(ms));
  if (value < 1_000) return `${value}ms`;
  if (value < 60_000) return `${Number((value / 1_000).toFixed(3))}s`;
  const minutes = Math.floor(value / 60_000);
  const seconds = Number(((value % 60_000) / 1_000).toFixed(3));
  return `${minutes}m${seconds}s`;
}

/** OpenAI's rate-limit headers for the limits that apply (none when unlimited). */
export function rateLimitHeaders(state: RateState): Record<string, string> {
  const headers: Record<string, string> = {};
  if (state.requests) {
    headers['x-ratelimit-limit-requests'] = String(state.requests.limit);
    headers['x-ratelimit-remaining-requests'] = String(state.requests.remaining);
    headers['x-ratelimit-reset-requests'] = formatResetDuration(state.requests.resetMs);
  }
  if (state.tokens) {
    headers['x-ratelimit-limit-tokens'] = String(state.tokens.limit);
    headers['x-ratelimit-remaining-tokens'] = String(state.tokens.remaining);
    headers['x-ratelimit-reset-tokens'] = formatResetDuration(state.tokens.resetMs);
  }
  return headers;
}
