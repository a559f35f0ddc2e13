import { Histogram } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

/**
 * `conduit_memory_summary_duration_seconds{outcome}`: one observation per `session.summarize`
 * attempt, from the job start to the stored summary. `outcome`: `created` (a summary stored),
 * `skipped` (nothing to do: below the threshold, memory off, session gone, or a newer summary
 * already stored), `failed` (the summariser call or the store failed; the job retries).
 */
export const memorySummaryDuration = new Histogram({
  name: 'conduit_memory_summary_duration_seconds',
  help: 'Session summary jobs: time per attempt, by outcome (created, skipped, failed)',
  labelNames: ['outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});
