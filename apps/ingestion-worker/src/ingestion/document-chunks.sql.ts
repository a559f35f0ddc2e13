import type { Prisma } from '@conduit/db';

/** Chunks of one document, as parallel arrays (chunk n: `position[n]`, `text[n]`, ...). */
export interface ChunkColumns {
  id: string[];
  position: number[];
  text: string[];
  startOffset: number[];
  endOffset: number[];
  tokenCount: number[];
}

/**
 * Inserts chunks of one document in one statement, each column one array parameter (`unnest`):
 * building Prisma's `createMany` for thousands of multi-kilobyte rows blocked the event loop for
 * most of a second per thousand rows; this is a few array literals.
 */
export function insertChunks(tx: Prisma.TransactionClient, documentId: string, tenantId: string, chunks: ChunkColumns): Promise<number> {
  return tx.$executeRaw`
    INSERT INTO document_chunks (id, document_id, tenant_id, position, text, start_offset, end_offset, token_count)
    SELECT c.id, ${documentId}::uuid, ${tenantId}::uuid, c.position, c.text, c.start_offset, c.end_offset, c.token_count
    FROM unnest(${chunks.id}::uuid[], ${chunks.position}::int[], ${chunks.text}::text[], ${chunks.startOffset}::int[], ${chunks.endOffset}::int[], ${chunks.tokenCount}::int[])
      AS c(id, position, text, start_offset, end_offset, token_count)`;
}
