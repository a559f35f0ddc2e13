import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@conduit/observability';

/**
 * Extraction jobs by outcome: `applied` (memories written), `no_change` (nothing new: duplicates
 * are no-ops), `rejected` (the extractor's answer was malformed: nothing written), `failed` (the
 * extractor could not be reached on the last attempt), `duplicate` (a run of the same turn had
 * already written), `skipped` (memory off for the tenant by the time the job ran).
 */
export const memoryExtractionsTotal = new Counter({
  name: 'conduit_memory_extractions_total',
  help: 'Memory extraction jobs by outcome (applied, no_change, rejected, failed, duplicate, skipped)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

/** Memories written, by operation (`add`, `update`, `delete`) and origin (`extracted`, `stated`, `forget_all`). */
export const memoryWritesTotal = new Counter({
  name: 'conduit_memory_writes_total',
  help: 'Long-term memory writes by operation (add, update, delete) and origin (extracted, stated, forget_all)',
  labelNames: ['op', 'origin'] as const,
  registers: [metricsRegistry],
});

/** How many live memories a user has, observed after each write to them. */
export const memoryCountPerUser = new Histogram({
  name: 'conduit_memory_count_per_user',
  help: 'Live long-term memories of a user, observed after each write to them',
  buckets: [0, 1, 5, 10, 25, 50, 100, 200, 500, 1000],
  registers: [metricsRegistry],
});

/** One recall at request time (embedding, vector search, the live check), by outcome (`hit`, `empty`, `error`). */
export const memoryRecallDuration = new Histogram({
  name: 'conduit_memory_recall_duration_seconds',
  help: 'Long-term memory recall latency at request time (query embedding, vector search, live check) by outcome (hit, empty, error)',
  labelNames: ['outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [metricsRegistry],
});
