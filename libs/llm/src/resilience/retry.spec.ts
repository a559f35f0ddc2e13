import { abortableSleep } from './clock';
import { backoffDelayMs, retry, retryDelayMs, type BackoffPolicy } from './retry';

const policy: BackoffPolicy = { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

describe('backoffDelayMs (full jitter)', () => {
  it('draws uniformly below min(cap, base * 2^retry)', () => {
    expect(backoffDelayMs(0, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(0, policy, () => 0.999999)).toBe(99);
    expect(backoffDelayMs(1, policy, () => 0.5)).toBe(100);
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, policy, () => 0.999999)).toBe(799);
  });

  it('never exceeds the cap, however many retries', () => {
    for (let retryIndex = 0; retryIndex < 40; retryIndex++) {
      for (const r of [0, 0.25, 0.5, 0.999999]) {
        const delay = backoffDelayMs(retryIndex, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(policy.maxDelayMs);
      }
    }
  });

  it('stays within bounds with the real random source', () => {
    for (let i = 0; i < 1_000; i++) {
      const delay = backoffDelayMs(2, policy);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(400);
    }
  });
});

describe('retryDelayMs', () => {
  it('waits at least retry-after', () => {
    expect(retryDelayMs(0, policy, 1_500, () => 0.5)).toBe(1_500);
  });

  it('keeps the jittered backoff when it is longer than retry-after', () => {
    expect(retryDelayMs(3, policy, 10, () => 0.5)).toBe(400);
  });

  it('caps retry-after at maxRetryAfterMs', () => {
    expect(retryDelayMs(0, policy, 60_000, () => 0)).toBe(5_000);
  });
});

describe('retry', () => {
  const fastOptions = (overrides: Partial<Parameters<typeof retry>[1]> = {}) => {
    const delays: number[] = [];
    return {
      delays,
      options: {
        ...policy,
        maxAttempts: 4,
        random: () => 0.5,
        sleep: async (ms: number) => {
          delays.push(ms);
        },
        shouldRetry: () => true,
        ...overrides,
      },
    };
  };

  it('retries until the call succeeds, with exponentially growing jittered delays', async () => {
    const { delays, options } = fastOptions();
    let calls = 0;
    const result = await retry(async (attempt) => {
      calls++;
      if (attempt < 3) throw new Error(`fail ${attempt}`);
      return 'ok';
    }, options);
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([50, 100]);
  });

  it('rethrows the last error after maxAttempts', async () => {
    const { delays, options } = fastOptions({ maxAttempts: 3 });
    await expect(
      retry(async (attempt) => {
        throw new Error(`fail ${attempt}`);
      }, options),
    ).rejects.toThrow('fail 3');
    expect(delays).toHaveLength(2);
  });

  it('does not retry errors shouldRetry rejects', async () => {
    const { delays, options } = fastOptions({ shouldRetry: (error) => (error as Error).message !== 'fatal' });
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new Error('fatal');
      }, options),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
    expect(delays).toEqual([]);
  });

  it('honours the error retry-after and reports each retry', async () => {
    const events: number[] = [];
    const { delays, options } = fastOptions({
      retryAfterMs: () => 700,
      onRetry: ({ delayMs }) => events.push(delayMs),
    });
    let calls = 0;
    await retry(async () => {
      if (++calls === 1) throw new Error('429');
      return 'ok';
    }, options);
    expect(delays).toEqual([700]);
    expect(events).toEqual([700]);
  });

  it('stops waiting as soon as the signal fires', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await expect(
      retry(
        async () => {
          throw new Error('503');
        },
        {
          ...policy,
          maxAttempts: 3,
          random: () => 0.5,
          signal: controller.signal,
          shouldRetry: () => true,
          retryAfterMs: () => 5_000,
          sleep: abortableSleep,
          abortError: () => new Error('cancelled'),
        },
      ),
    ).rejects.toThrow('cancelled');
    expect(Date.now() - started).toBeLessThan(3_000); // the retry would wait 5 s
  });

  it('does not call at all when the signal already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const fn = jest.fn(async () => 'ok');
    await expect(retry(fn, { ...fastOptions().options, signal: controller.signal, abortError: () => new Error('cancelled') })).rejects.toThrow(
      'cancelled',
    );
    expect(fn).not.toHaveBeenCalled();
  });
});
