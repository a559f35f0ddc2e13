import type { JobStatus, Prisma } from '@conduit/db';

export type TerminalJobStatus = 'succeeded' | 'failed' | 'cancelled' | 'expired';

/** A job's terminal statuses, and `requires_action` (paused on a tool confirmation; not terminal). */
export type JobEventStatus = TerminalJobStatus | 'requires_action';

export interface FinishJob {
  /** `requires_action` stores the paused answer as the result and sends `job.requires_action`; `finished_at` stays unset. */
  status: JobEventStatus;
  /** The job moves only from one of these statuses (whoever finishes first wins; others get null). */
  from: JobStatus[];
  result?: Prisma.InputJsonValue;
  error?: { code: string; message: string };
  /** The job failed for good after its last attempt. */
  deadLettered?: boolean;
  upstreamMs?: number;
}
