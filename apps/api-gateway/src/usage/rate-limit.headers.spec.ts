import { formatResetDuration, rateLimitHeaders } from './rate-limit.headers';

describe('OpenAI rate-limit headers', () => {
  it('writes reset durations the way OpenAI does', () => {
    expect(formatResetDuration(0)).toBe('0ms');
    expect(formatResetDuration(250.2)).toBe('251ms');
    expect(formatResetDuration(1_500)).toBe('1.5s');
    expect(formatResetDuration(59_999)).toBe('59.999s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(61_500)).toBe('1m1.5s');
  });

  it('names requests and tokens separately and omits unlimited dimensions', () => {
    expect(rateLimitHeaders({ requests: { limit: 60, remaining: 59, resetMs: 1_000 } })).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
    });
    expect(rateLimitHeaders({ tokens: { limit: 1_000, remaining: 0, resetMs: 30_000 } })).toEqual({
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '30s',
    });
    expect(rateLimitHeaders({})).toEqual({});
  });
});
