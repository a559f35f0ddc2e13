import type { LlmErrorKind } from '../errors/llm-error-kind';

/** Why a target was not called. */
export type SkipReason = 'breaker_open' | 'not_configured' | 'unsupported_parameter';

/** One try (or skip) of one target, in call order. */
export interface AttemptRecord {
  provider: string;
  model: string;
  /** 1-based try number on this target; 0 for a skip. */
  attempt: number;
  outcome: 'ok' | 'error' | 'cancelled' | 'skipped';
  skipped?: SkipReason;
  /** Human-readable detail for a skip (e.g. which variable to set). */
  detail?: string;
  error?: { kind: LlmErrorKind; status?: number; code?: string; message: string };
  /** Wall time of the try (0 for a skip). */
  latencyMs: number;
  /** Backoff waited after this try before the next one on the same target. */
  retryDelayMs?: number;
}
