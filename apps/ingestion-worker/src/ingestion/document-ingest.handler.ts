import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DocumentIngest, JobName } from '@conduit/contracts';
import { HandlesJob, JobHandler, isFinalAttempt } from '@conduit/queue';
import { MAX_ERROR_LENGTH, reasonOf } from './ingestion.exception';
import { IngestionPipeline, IngestOutcome } from './ingestion.pipeline';

/**
 * Consumes `document.ingest`. Progress goes to the document row and to `job.updateProgress`.
 * A failure that will not be retried (unrecoverable, or the last attempt) marks the document
 * `failed` with the reason, so no document is left in a working state.
 */
@Injectable()
@HandlesJob(JobName.DocumentIngest)
export class DocumentIngestHandler implements JobHandler<typeof JobName.DocumentIngest> {
  private readonly logger = new Logger('DocumentIngestHandler');
  /** The reason of a run that failed for good, recorded by {@link onFinalFailure}. */
  private readonly finalReasons = new WeakMap<Job, string>();

  constructor(private readonly pipeline: IngestionPipeline) {}

  async handle(payload: DocumentIngest, job: Job): Promise<IngestOutcome> {
    try {
      const outcome = await this.pipeline.run(payload, (progress) => job.updateProgress(progress));
      this.logger.log({ document_id: payload.document_id, attempt: payload.attempt, job_attempt: job.attemptsMade + 1, ...outcome }, 'document ingestion finished');
      return outcome;
    } catch (error) {
      if (isFinalAttempt(job, error)) this.finalReasons.set(job, reasonOf(error));
      else await this.record(payload, reasonOf(error), false);
      throw error;
    }
  }

  /**
   * The document of a job that failed for good ends `failed` with the reason, never stuck in a
   * working state: the run's own error, or — for a job BullMQ failed without running it (it
   * stalled too often: its worker died mid-run more than once) — the queue's reason.
   */
  async onFinalFailure(payload: DocumentIngest, job: Job, error: Error): Promise<void> {
    const reason = this.finalReasons.get(job) ?? `ingestion job failed: ${error.message}`.slice(0, MAX_ERROR_LENGTH);
    await this.record(payload, reason, true);
  }

  private async record(payload: DocumentIngest, reason: string, final: boolean): Promise<void> {
    await this.pipeline.recordFailure(payload, reason, final).catch((recordError: unknown) =>
      this.logger.error({ document_id: payload.document_id, err: recordError }, 'could not record the ingestion failure'),
    );
  }
}
