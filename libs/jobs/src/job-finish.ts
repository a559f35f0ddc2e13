import type { JobStatus, Prisma } from '@conduit/db';

export type TerminalJobStatus = 'succeeded' | 'failed' | 'cancelled' | 'expired';

export interface FinishJob {
  status: TerminalJobStatus;
  /** The job moves only from one of these statuses (whoever finishes first wins; others get null). */
  from: JobStatus[];
  result?: Prisma.InputJsonValue;
  error?: { code: string; message: string };
  /** The job failed for good after its last attempt. */
  deadLettered?: boolean;
  upstreamMs?: number;
}
