/** The part of `Headers` the parsers need (SDK errors carry a fetch `Headers`). */
export interface HeaderReader {
  get(name: string): string | null;
}

const SECONDS = /^\s*\d+(\.\d+)?\s*$/;

/**
 * How long the upstream asked us to wait: `retry-after-ms` (milliseconds, OpenAI) wins over
 * `retry-after` (delta-seconds, possibly fractional, or an HTTP date). Undefined when absent or
 * unparseable; never negative.
 */
export function retryAfterMsFromHeaders(headers: HeaderReader | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && SECONDS.test(ms)) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (SECONDS.test(value)) return Math.round(Number(value) * 1000);
  // An HTTP date names its weekday/month; bare numbers such as "-1" are not dates.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The upstream's explicit retry verdict (`x-should-retry: true|false`), if any. */
export function shouldRetryHeader(headers: HeaderReader | undefined): boolean | undefined {
  const value = headers?.get('x-should-retry');
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}
