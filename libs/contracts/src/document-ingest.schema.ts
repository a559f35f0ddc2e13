import { z } from 'zod';

/** Media types Conduit ingests; the gateway detects them from the content, the worker parses by them. */
export const DocumentMediaType = {
  Text: 'text/plain',
  Markdown: 'text/markdown',
  Html: 'text/html',
  Pdf: 'application/pdf',
} as const;
export type DocumentMediaType = (typeof DocumentMediaType)[keyof typeof DocumentMediaType];

/**
 * Asks the ingestion worker to parse, chunk, embed and index one stored document. `attempt` is the
 * document's ingestion request number (1 on upload, +1 per reindex): a job whose attempt is not
 * the document's current one is stale and skipped. The job id is {@link documentIngestJobId}.
 */
export const documentIngestSchema = z.object({
  document_id: z.uuid(),
  tenant_id: z.uuid(),
  attempt: z.number().int().min(1),
});
export type DocumentIngest = z.output<typeof documentIngestSchema>;
export type DocumentIngestInput = z.input<typeof documentIngestSchema>;

/** Deterministic BullMQ job id: enqueueing the same document attempt twice is a no-op. */
export function documentIngestJobId(documentId: string, attempt: number): string {
  return `document-${documentId}-${attempt}`;
}
