import { Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { DocumentIngest, JobName } from '@conduit/contracts';
import { HandlesJob, JobHandler } from '@conduit/queue';
import { reasonOf } from './ingestion.exception';
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

  constructor(private readonly pipeline: IngestionPipeline) {}

  async handle(payload: DocumentIngest, job: Job): Promise<IngestOutcome> {
    try {
      const outcome = await this.pipeline.run(payload, (progress) => job.updateProgress(progress));
      this.logger.log({ document_id: payload.document_id, attempt: payload.attempt, job_attempt: job.attemptsMade + 1, ...outcome }, 'document ingestion finished');
      return outcome;
    } catch (error) {
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.pipeline.recordFailure(payload, reasonOf(error), final).catch((recordError: unknown) =>
        this.logger.error({ document_id: payload.document_id, err: recordError }, 'could not record the ingestion failure'),
      );
      throw error;
    }
  }
}
