import { Counter, Histogram } from 'prom-client';
import type { Job } from '@conduit/db';
import { metricsRegistry } from '@conduit/observability';

export const asyncJobsTotal = new Counter({
  name: 'conduit_async_jobs_total',
  help: 'Async jobs that reached a terminal status, by type and status',
  labelNames: ['type', 'status', 'dead_lettered'] as const,
  registers: [metricsRegistry],
});

export const asyncJobDuration = new Histogram({
  name: 'conduit_async_job_duration_seconds',
  help: 'Async job life from submission to its terminal status',
  labelNames: ['type', 'status'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  registers: [metricsRegistry],
});

/** Counts a job that just reached its terminal status. */
export function recordJobFinished(job: Job): void {
  asyncJobsTotal.inc({ type: job.type, status: job.status, dead_lettered: String(job.deadLetteredAt !== null) });
  if (job.finishedAt) asyncJobDuration.observe({ type: job.type, status: job.status }, (job.finishedAt.getTime() - job.createdAt.getTime()) / 1000);
}
