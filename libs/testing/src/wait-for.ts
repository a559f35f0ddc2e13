import { inspect } from 'node:util';

export interface WaitOptions<T> {
  /** What is awaited, for the timeout message: `job ${id} to succeed`. */
  what: string;
  /** Accepts a probed value; by default any value but `undefined`, `null` and `false`. */
  until?: (value: T) => boolean;
  /** The deadline. Generous is free: the wait ends as soon as the condition holds. */
  timeoutMs?: number;
  intervalMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_INTERVAL_MS = 25;
const accepted = (value: unknown) => value !== undefined && value !== null && value !== false;

/**
 * Probes until the condition holds and returns the accepted value; a probe that throws counts as
 * "not yet". At the deadline it throws, naming what it waited for and the last value or error it
 * saw. Tests wait for conditions, never for fixed durations: a fixed sleep is either too short on
 * a loaded machine (a flake) or longer than needed everywhere else.
 */
export function waitFor<T>(probe: () => T | Promise<T>, options: WaitOptions<T> & { until: (value: T) => boolean }): Promise<T>;
export function waitFor<T>(probe: () => T | Promise<T>, options: Omit<WaitOptions<T>, 'until'>): Promise<Exclude<T, undefined | null | false>>;
export async function waitFor<T>(probe: () => T | Promise<T>, options: WaitOptions<T>): Promise<T> {
  const { what, until = accepted, timeoutMs = DEFAULT_TIMEOUT_MS, intervalMs = DEFAULT_INTERVAL_MS } = options;
  const started = Date.now();
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (until(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() - started >= timeoutMs) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen = last && 'error' in last ? `last error: ${String(last.error)}` : `last value: ${inspect(last?.value, { depth: 4, breakLength: Infinity }).slice(0, 2_000)}`;
  throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`);
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}
