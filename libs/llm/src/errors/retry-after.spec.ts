import { retryAfterMsFromHeaders } from './retry-after';

const h = (init: Record<string, string>) => new Headers(init);

describe('retryAfterMsFromHeaders', () => {
  it('reads delta-seconds, including fractions', () => {
    expect(retryAfterMsFromHeaders(h({ 'retry-after': '3' }))).toBe(3_000);
    expect(retryAfterMsFromHeaders(h({ 'retry-after': '0.25' }))).toBe(250);
  });

  it('prefers retry-after-ms', () => {
    expect(retryAfterMsFromHeaders(h({ 'retry-after-ms': '120.5', 'retry-after': '3' }))).toBe(120.5);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMsFromHeaders(h({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now)).toBe(5_000);
    expect(retryAfterMsFromHeaders(h({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }), now)).toBe(0);
  });

  it('ignores absent or garbage values', () => {
    expect(retryAfterMsFromHeaders(undefined)).toBeUndefined();
    expect(retryAfterMsFromHeaders(h({}))).toBeUndefined();
    expect(retryAfterMsFromHeaders(h({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMsFromHeaders(h({ 'retry-after': '-1' }))).toBeUndefined();
  });
});
