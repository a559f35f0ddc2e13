/**
 * When a failed webhook is tried again: exponential (base × 2^(n−1)), capped per delay, with
 * ±jitter so that a receiver coming back up is not hit by every pending retry at the same
 * moment, until the delivery is `maxAgeMs` old; then it is given up and marked failed.
 * With the defaults (5 s base, 4 h cap, 24 h window) a delivery is attempted about 17 times.
 */
export interface WebhookRetrySettings {
  /** Delay after the first failed attempt. */
  baseDelayMs: number;
  /** Upper bound of a single delay. */
  maxDelayMs: number;
  /** No attempt starts later than this after the delivery was created. */
  maxAgeMs: number;
  /** Each delay is multiplied by a random factor in [1 − jitter, 1 + jitter]. */
  jitter: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetrySettings = {
  baseDelayMs: 5_000,
  maxDelayMs: 4 * 3_600_000,
  maxAgeMs: 24 * 3_600_000,
  jitter: 0.2,
};

/** The delay after `failedAttempts` (≥ 1) failed attempts. */
export function webhookRetryDelayMs(failedAttempts: number, settings: WebhookRetrySettings, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failedAttempts, 1) - 1, 40);
  const nominal = Math.min(settings.baseDelayMs * 2 ** exponent, settings.maxDelayMs);
  const factor = 1 - settings.jitter + 2 * settings.jitter * random();
  return Math.max(0, Math.round(nominal * factor));
}

/**
 * The time (epoch ms) of the next attempt after `failedAttempts` failures, or null when it would
 * fall outside the delivery's window: give up.
 */
export function nextWebhookAttemptAt(
  createdAt: number,
  failedAttempts: number,
  now: number,
  settings: WebhookRetrySettings,
  random: () => number = Math.random,
): number | null {
  const at = now + webhookRetryDelayMs(failedAttempts, settings, random);
  return at - createdAt > settings.maxAgeMs ? null : at;
}
