import { DEFAULT_WEBHOOK_RETRY, nextWebhookAttemptAt, webhookRetryDelayMs } from './retry-schedule';

const HOUR = 3_600_000;

describe('webhook retry schedule', () => {
  it('doubles from the base delay up to the cap', () => {
    const fixed = { ...DEFAULT_WEBHOOK_RETRY, jitter: 0 };
    expect([1, 2, 3, 4].map((n) => webhookRetryDelayMs(n, fixed))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(webhookRetryDelayMs(30, fixed)).toBe(4 * HOUR);
  });

  it('jitters each delay within ±20 % and still grows from one attempt to the next', () => {
    for (let n = 1; n < 10; n += 1) {
      const low = webhookRetryDelayMs(n, DEFAULT_WEBHOOK_RETRY, () => 0);
      const high = webhookRetryDelayMs(n, DEFAULT_WEBHOOK_RETRY, () => 0.999999);
      const nominal = DEFAULT_WEBHOOK_RETRY.baseDelayMs * 2 ** (n - 1);
      expect(low).toBe(Math.round(nominal * 0.8));
      expect(high).toBeLessThanOrEqual(Math.round(nominal * 1.2));
      expect(webhookRetryDelayMs(n + 1, DEFAULT_WEBHOOK_RETRY, () => 0)).toBeGreaterThan(high);
    }
  });

  it('keeps retrying for about a day, then gives up', () => {
    const created = 0;
    let now = created;
    let failures = 0;
    for (;;) {
      failures += 1;
      const next = nextWebhookAttemptAt(created, failures, now, DEFAULT_WEBHOOK_RETRY, () => 0.5);
      if (next === null) break;
      now = next;
    }
    expect(failures).toBeGreaterThanOrEqual(12);
    expect(now).toBeLessThanOrEqual(24 * HOUR);
    expect(now).toBeGreaterThan(18 * HOUR);
  });
});
