import { Injectable } from '@nestjs/common';
import { JobName, sessionSummarizeJobId } from '@conduit/contracts';
import { JobProducer } from '@conduit/queue';

/** Turns are written behind the answer: the job waits a little, so it sees the turn that triggered it. */
export const SUMMARY_JOB_DELAY_MS = 1_000;

/**
 * The producer of `session.summarize` (consumed by the chat-orchestrator's worker). One job per
 * session and summary state (see `sessionSummarizeJobId`): a session that passes its threshold on
 * several turns while a job is pending gets one job. Completed jobs are removed at once, so the id
 * is free again for the next turn should the job have found nothing to do.
 */
@Injectable()
export class SessionSummaryProducer {
  constructor(private readonly producer: JobProducer) {}

  async enqueue(job: { tenantId: string; userId: string; sessionId: string; coveredMessageId: string | null }): Promise<void> {
    await this.producer.enqueue(
      JobName.SessionSummarize,
      { tenant_id: job.tenantId, user_id: job.userId, session_id: job.sessionId, covered_message_id: job.coveredMessageId },
      { jobId: sessionSummarizeJobId(job.sessionId, job.coveredMessageId), delay: SUMMARY_JOB_DELAY_MS, attempts: 3, removeOnComplete: true },
    );
  }
}
