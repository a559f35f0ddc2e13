import { Injectable } from '@nestjs/common';
import { JobName, documentIngestJobId } from '@conduit/contracts';
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
}
