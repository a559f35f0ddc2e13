import type { AsyncJobObject, AsyncJobStatus, AsyncJobType, JobRequiredAction } from '@conduit/contracts';
import type { Job } from '@conduit/db';

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
const orNull = (date: Date | null): number | null => (date ? seconds(date) : null);

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * What a `requires_action` job waits for, read from its result (the paused answer, whose `conduit`
 * names the confirmation and the pending calls); null in any other status.
 */
export function requiredActionOf(job: Pick<Job, 'status' | 'result'>): JobRequiredAction | null {
  if (job.status !== 'requires_action') return null;
  const conduit = record(record(job.result)?.conduit);
  if (!conduit || typeof conduit.confirmation_id !== 'string') return null;
  return {
    type: 'tool_confirmation',
    confirmation_id: conduit.confirmation_id,
    pending_tool_calls: Array.isArray(conduit.pending_tool_calls) ? conduit.pending_tool_calls : [],
    expires_at: typeof conduit.expires_at === 'string' ? conduit.expires_at : null,
  };
}

/** Where a job is polled. */
export function jobStatusUrl(jobId: string): string {
  return `/v1/jobs/${jobId}`;
}

/** The public shape of a job row (API answers and webhook `data`). */
export function toJobObject(job: Job): AsyncJobObject {
  const error = record(job.error);
  return {
    id: job.id,
    object: 'job',
    type: job.type as AsyncJobType,
    status: job.status as AsyncJobStatus,
    status_url: jobStatusUrl(job.id),
    metadata: (record(job.metadata) ?? {}) as Record<string, string>,
    webhook_url: job.webhookUrl,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    progress: job.itemsTotal > 0 ? { total: job.itemsTotal, succeeded: job.itemsSucceeded, failed: job.itemsFailed } : null,
    result: record(job.result),
    error: error ? { code: String(error.code), message: String(error.message) } : null,
    dead_lettered: job.deadLetteredAt !== null,
    created_at: seconds(job.createdAt),
    started_at: orNull(job.startedAt),
    finished_at: orNull(job.finishedAt),
    expires_at: seconds(job.deadlineAt),
    required_action: requiredActionOf(job),
  };
}
