import { Injectable } from '@nestjs/common';
import { JobName, documentIngestJobId, queueOfJob } from '@conduit/contracts';
import { JobProducer } from '@conduit/queue';

/**
 * The producer of `document.ingest` (consumed by the ingestion worker): asks for one ingestion
 * attempt of a stored document. The job id is derived from the document and its attempt number,
 * so asking twice for the same attempt runs it once.
 */
@Injectable()
export class DocumentIngestProducer {
  constructor(private readonly producer: JobProducer) {}

  async enqueue(document: { id: string; tenantId: string }, attempt: number): Promise<void> {
    await this.producer.enqueue(
      JobName.DocumentIngest,
      { document_id: document.id, tenant_id: document.tenantId, attempt },
      { jobId: documentIngestJobId(document.id, attempt) },
    );
  }

  /**
   * Runs the attempt again (a vector rebuild keeps the attempt: same job id, same usage event
   * ids). A job of that id still waiting or running is kept; a finished one BullMQ still holds
   * (completed or failed) is removed first, since a second add of its id would be ignored.
   */
  async requeue(document: { id: string; tenantId: string }, attempt: number): Promise<void> {
    const queue = this.producer.queue(queueOfJob(JobName.DocumentIngest));
    const existing = await queue.getJob(documentIngestJobId(document.id, attempt));
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed' || state === 'failed') await existing.remove();
    }
    await this.enqueue(document, attempt);
  }
}
