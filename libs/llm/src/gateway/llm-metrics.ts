import {
  llmCostUsdTotal,
  llmErrorsTotal,
  llmFallbacksTotal,
  llmRequestDuration,
  llmTimeToFirstToken,
  llmTokensTotal,
  type LlmErrorMetricKind,
} from '@conduit/observability';
import type { LlmErrorKind } from '../errors/llm-error-kind';
import type { TokenUsage } from '../llm.types';

/** The metric's fixed `kind` list for each gateway error kind (`content_filter` comes from a finish reason). */
const METRIC_KIND: Record<LlmErrorKind, LlmErrorMetricKind> = {
  rate_limited: 'rate_limit',
  overloaded: 'server_5xx',
  server: 'server_5xx',
  timeout: 'timeout',
  connection: 'connection',
  cancelled: 'cancelled',
  invalid_request: 'invalid_request',
  auth: 'auth',
  unknown: 'other',
};

export function errorMetricKind(kind: LlmErrorKind): LlmErrorMetricKind {
  return METRIC_KIND[kind];
}

/**
 * Outcome of one attempt: `ok`; `fallback` (failed, and the gateway moved on to the next target);
 * `error` (failed, and was retried on the same target or was the last word); `cancelled` (the caller
 * aborted, or stopped reading a stream).
 */
export type AttemptOutcome = 'ok' | 'error' | 'cancelled' | 'fallback';

export interface TargetLabels {
  provider: string;
  model: string;
}

/** Where the gateway reports; the default writes the Prometheus metrics of `@conduit/observability`. */
export interface LlmMetrics {
  /** One observation per attempt (for streams: when the stream ends). */
  attempt(labels: TargetLabels, outcome: AttemptOutcome, seconds: number): void;
  timeToFirstToken(labels: TargetLabels, seconds: number): void;
  /** Tokens by direction (`input` = uncached, `cached_input`, `output`; they sum to the total) and estimated cost. */
  usage(labels: TargetLabels, usage: TokenUsage, costUsd: number): void;
  /** One failed attempt (or an answer the provider's content filter cut), by kind. */
  error(labels: TargetLabels, kind: LlmErrorMetricKind): void;
}

export const prometheusLlmMetrics: LlmMetrics = {
  attempt(labels, outcome, seconds) {
    llmRequestDuration.observe({ ...labels, outcome }, seconds);
    if (outcome === 'fallback') llmFallbacksTotal.inc(labels);
  },
  error(labels, kind) {
    llmErrorsTotal.inc({ ...labels, kind });
  },
  timeToFirstToken(labels, seconds) {
    llmTimeToFirstToken.observe(labels, seconds);
  },
  usage(labels, usage, costUsd) {
    const cached = Math.min(usage.cached_tokens, usage.input_tokens);
    const counts = { input: usage.input_tokens - cached, cached_input: cached, output: usage.output_tokens };
    for (const [direction, tokens] of Object.entries(counts)) {
      if (tokens > 0) llmTokensTotal.inc({ ...labels, direction }, tokens);
    }
    if (costUsd > 0) llmCostUsdTotal.inc(labels, costUsd);
  },
};
