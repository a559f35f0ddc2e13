import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, SessionSummarize } from '@conduit/contracts';
import { HandlesJob, JobHandler } from '@conduit/queue';
import { SessionSummarizer, SummaryOutcome } from './session-summarizer';

/**
 * Consumes `session.summarize`. A summariser that fails makes the job retry (BullMQ backoff); once
 * it gives up, the session simply keeps its previous summary (or none) and the plain window.
 */
@Injectable()
@HandlesJob(JobName.SessionSummarize)
export class SessionSummarizeHandler implements JobHandler<typeof JobName.SessionSummarize> {
  private readonly logger = new Logger(SessionSummarizeHandler.name);

  constructor(private readonly summarizer: SessionSummarizer) {}

  handle(payload: SessionSummarize): Promise<SummaryOutcome> {
    return this.summarizer.summarise(payload);
  }

  async onFinalFailure(payload: SessionSummarize, _job: Job, error: Error): Promise<void> {
    this.logger.warn({ tenant_id: payload.tenant_id, session_id: payload.session_id, err: error.message }, 'session summary gave up; the session keeps its previous summary');
  }
}
