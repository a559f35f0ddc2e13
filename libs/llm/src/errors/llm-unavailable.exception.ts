import type { AttemptRecord } from '../gateway/attempt-record';
import type { LlmError } from './llm.exception';

/**
 * - `upstream_unavailable`: at least one target was called and every one failed.
 * - `all_breakers_open`: nothing was called because every usable target's breaker was open.
 * - `no_provider_configured`: nothing was called because no target's provider is usable (no API key).
 */
export type LlmUnavailableCode = 'upstream_unavailable' | 'all_breakers_open' | 'no_provider_configured';

/** Every target of the chain failed or was skipped; carries the full attempt history. */
export class LlmUnavailableError extends Error {
  constructor(
    readonly code: LlmUnavailableCode,
    /** The alias or model the caller asked for. */
    readonly requested: string,
    readonly attempts: readonly AttemptRecord[],
    /** The last upstream failure, when something was called. */
    readonly lastError: LlmError | undefined,
    /** When every breaker is open: time until the first one lets a probe through (for `Retry-After`). */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`${requested}: ${describe(code)} (${summarize(attempts)})`);
    this.name = 'LlmUnavailableError';
  }
}

function describe(code: LlmUnavailableCode): string {
  switch (code) {
    case 'upstream_unavailable':
      return 'every upstream target failed';
    case 'all_breakers_open':
      return 'every upstream target is failing fast (circuit breaker open)';
    case 'no_provider_configured':
      return 'no configured provider can serve this model';
  }
}

function summarize(attempts: readonly AttemptRecord[]): string {
  if (attempts.length === 0) return 'no targets';
  return attempts
    .map((a) => `${a.provider}/${a.model}: ${a.outcome === 'skipped' ? `skipped ${a.skipped}` : (a.error?.kind ?? a.outcome)}`)
    .join(', ');
}
