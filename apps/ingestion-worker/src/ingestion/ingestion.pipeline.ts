import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { UsageEventProducer } from '@conduit/budget';
import { type DocumentIngest, uuidFromName } from '@conduit/contracts';
import { BLOB_STORE, BlobNotFoundError, type BlobStore } from '@conduit/blob-store';
import { DocumentStatus, Prisma, PrismaService } from '@conduit/db';
import { type Embedder, EmbeddingUsageTally } from '@conduit/embeddings';
import { chunkPointId, VECTOR_STORE, vectorSpaceFor, type VectorSpace, type VectorStore } from '@conduit/vector-store';
import { DocumentParseError } from '../parsing/document-parse.exception';
import { documentFormatOf } from '../parsing/document-parser';
import { DocumentLimitError } from '../processing/document-limits';
import { DocumentProcessorPool } from '../processing/document-processor.pool';
import { insertChunks } from './document-chunks.sql';
import { INGEST_EMBEDDER, INGESTION_OPTIONS, IngestionOptions } from './ingestion.constants';
import { DocumentRejectedError } from './ingestion.exception';
import { ProcessingDeadline } from './processing-deadline';

export interface IngestProgress {
  status: DocumentStatus;
  chunks_done: number;
  chunks_total: number;
}

export type IngestOutcome =
  | { outcome: 'indexed'; chunks: number; resumed_from: number }
  | { outcome: 'skipped'; reason: 'deleted' | 'superseded' | 'already_indexed' | 'already_failed' };

/** The run was overtaken: the document was deleted or a reindex started a newer attempt. */
class RunAbandoned extends Error {
  constructor(readonly reason: 'deleted' | 'superseded') {
    super(`document ${reason}`);
  }
}

interface Run {
  documentId: string;
  tenantId: string;
  /** The uploader: written into every point's payload (private collections are searched by it), and billed for the embedding usage. */
  userId: string;
  attempt: number;
  collectionId: string;
  space: VectorSpace;
  progress: (progress: IngestProgress) => Promise<void>;
  deadline: ProcessingDeadline;
}

/**
 * parse → clean → chunk → embed → upsert for one document, resumable at batch granularity:
 * chunks are written once (one transaction, with `chunks_total`); each batch is embedded,
 * upserted under deterministic point ids, then its chunks get `embedded_at` and the document's
 * `chunks_done` grows in one transaction. A re-run (retry, crash, redelivery) starts at the first
 * chunk without `embedded_at`; a batch upserted but not yet marked is upserted again, harmlessly.
 *
 * Parsing and chunking run in a {@link DocumentProcessorPool} thread. A run may take at most
 * `documentDeadlineMs`, counted once a processing thread is ready: past it the thread is terminated, nothing more is written, and the run
 * fails with `processing_timeout` (not retried), so the worker moves on to the next document.
 */
@Injectable()
export class IngestionPipeline {
  private readonly logger = new Logger('IngestionPipeline');

  constructor(
    private readonly prisma: PrismaService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(VECTOR_STORE) private readonly vectors: VectorStore,
    @Inject(INGEST_EMBEDDER) private readonly embedder: Embedder,
    @Inject(INGESTION_OPTIONS) private readonly options: IngestionOptions,
    private readonly processor: DocumentProcessorPool,
    private readonly usage: UsageEventProducer,
  ) {}

  async run(job: DocumentIngest, progress: (progress: IngestProgress) => Promise<void> = async () => undefined): Promise<IngestOutcome> {
    // The deadline is the document's: a processing thread still starting (one was just replaced) is not.
    await this.processor.ready();
    const deadline = new ProcessingDeadline(this.options.documentDeadlineMs);
    try {
      return await deadline.race(this.runWithin(deadline, job, progress));
    } finally {
      deadline.clear();
    }
  }

  private async runWithin(deadline: ProcessingDeadline, job: DocumentIngest, progress: (progress: IngestProgress) => Promise<void>): Promise<IngestOutcome> {
    const document = await this.prisma.document.findFirst({
      where: { id: job.document_id, tenantId: job.tenant_id },
      include: { collection: true },
    });
    if (!document) return { outcome: 'skipped', reason: 'deleted' };
    if (document.attempts !== job.attempt) return { outcome: 'skipped', reason: 'superseded' };
    if (document.status === DocumentStatus.indexed) return { outcome: 'skipped', reason: 'already_indexed' };
    if (document.status === DocumentStatus.failed) return { outcome: 'skipped', reason: 'already_failed' };

    const { collection } = document;
    if (collection.embeddingModel !== this.embedder.model || collection.embeddingDimension !== this.embedder.dimension) {
      throw new DocumentRejectedError(
        `collection "${collection.name}" holds ${collection.embeddingModel} vectors (${collection.embeddingDimension} dimensions) ` +
          `but the ingestion worker embeds with ${this.embedder.model} (${this.embedder.dimension}); ` +
          'use a collection of the current model or configure the worker with the collection\'s model',
      );
    }
    const run: Run = {
      documentId: document.id,
      tenantId: document.tenantId,
      userId: document.userId,
      attempt: document.attempts,
      collectionId: collection.id,
      space: vectorSpaceFor(collection.embeddingModel, collection.embeddingDimension),
      progress,
      deadline,
    };
    try {
      let total = document.chunksTotal;
      if (total === 0) {
        total = await this.parseAndChunk(run, document.blobKey, document.mediaType);
      } else {
        await this.setStatus(run, DocumentStatus.embedding);
      }
      const resumedFrom = await this.prisma.documentChunk.count({ where: { documentId: run.documentId, embeddedAt: { not: null } } });
      if (resumedFrom > 0) this.logger.log({ document_id: run.documentId, resumed_from: resumedFrom, chunks_total: total }, 'resuming ingestion');
      await this.embedAll(run, total);
      await this.finish(run, total);
      return { outcome: 'indexed', chunks: total, resumed_from: resumedFrom };
    } catch (error) {
      if (error instanceof RunAbandoned) {
        // Deleted while we were writing: remove what this run may have upserted after the API's delete.
        if (error.reason === 'deleted') await this.vectors.deleteDocument(run.space, run.tenantId, run.documentId);
        return { outcome: 'skipped', reason: error.reason };
      }
      throw error;
    }
  }

  /**
   * Records a failed run: `failed` with the reason when it will not be retried, otherwise only the
   * reason (the status stays where it was, and the retry continues from there).
   */
  async recordFailure(job: DocumentIngest, reason: string, final: boolean): Promise<void> {
    await this.prisma.document.updateMany({
      where: { id: job.document_id, tenantId: job.tenant_id, attempts: job.attempt, status: { notIn: [DocumentStatus.indexed, DocumentStatus.failed] } },
      data: final ? { status: DocumentStatus.failed, error: reason } : { error: `will retry: ${reason}` },
    });
  }

  private async parseAndChunk(run: Run, blobKey: string, mediaType: string): Promise<number> {
    await this.setStatus(run, DocumentStatus.parsing);
    let bytes: Buffer;
    try {
      bytes = await this.blobs.get(blobKey);
    } catch (error) {
      if (error instanceof BlobNotFoundError) throw new DocumentRejectedError('the uploaded file is missing from the blob store; upload it again');
      throw error;
    }
    let processed;
    try {
      const { chunkTokens, overlapTokens, maxPdfPages, maxDocumentChars, maxDocumentChunks, maxHtmlDepth } = this.options;
      const request = {
        format: documentFormatOf(mediaType),
        bytes,
        chunkTokens,
        overlapTokens,
        limits: { maxChars: maxDocumentChars, maxChunks: maxDocumentChunks, maxHtmlDepth, maxPdfPages },
      };
      processed = await this.processor.process(request, run.deadline.signal);
    } catch (error) {
      if (error instanceof DocumentParseError) throw new DocumentRejectedError(error.message);
      if (error instanceof DocumentLimitError) throw new DocumentRejectedError(error.message, error.code);
      throw error;
    }
    const { text, starts, ends, tokens } = processed;
    const total = starts.length;
    await this.setStatus(run, DocumentStatus.chunking);
    run.deadline.check();
    // One transaction: either every chunk and chunks_total are stored, or nothing is.
    await this.prisma.$transaction(async (tx) => {
      await this.assertCurrent(tx, run);
      await tx.documentChunk.deleteMany({ where: { documentId: run.documentId } });
      for (let from = 0; from < total; from += 1_000) {
        const position = Array.from({ length: Math.min(1_000, total - from) }, (_, n) => from + n);
        await insertChunks(tx, run.documentId, run.tenantId, {
          id: position.map((n) => chunkPointId(run.tenantId, run.documentId, n)),
          position,
          text: position.map((n) => text.slice(starts[n], ends[n])),
          startOffset: position.map((n) => starts[n]),
          endOffset: position.map((n) => ends[n]),
          tokenCount: position.map((n) => tokens[n]),
        });
      }
      await tx.document.update({
        where: { id: run.documentId },
        data: { chunksTotal: total, chunksDone: 0, status: DocumentStatus.embedding, error: null },
      });
    }, { timeout: 120_000 });
    await run.progress({ status: DocumentStatus.embedding, chunks_done: 0, chunks_total: total });
    return total;
  }

  private async embedAll(run: Run, total: number): Promise<void> {
    await this.vectors.ensureSpace(run.space);
    for (;;) {
      run.deadline.check();
      const batch = await this.prisma.documentChunk.findMany({
        where: { documentId: run.documentId, embeddedAt: null },
        orderBy: { position: 'asc' },
        take: this.options.embedBatchSize,
        select: { id: true, position: true, text: true, startOffset: true, endOffset: true },
      });
      if (batch.length === 0) return;
      const tally = new EmbeddingUsageTally();
      const started = performance.now();
      const embeddings = await this.embedder.embed(
        batch.map((chunk) => chunk.text),
        { onUsage: tally.add },
      );
      await this.emitUsage(run, batch[0].position, tally, Math.round(performance.now() - started));
      await this.vectors.upsert(
        run.space,
        batch.map((chunk, n) => ({
          id: chunk.id,
          vector: embeddings[n],
          payload: {
            tenant_id: run.tenantId,
            user_id: run.userId,
            document_id: run.documentId,
            collection: run.collectionId,
            chunk_index: chunk.position,
            text: chunk.text,
            start_offset: chunk.startOffset,
            end_offset: chunk.endOffset,
          },
        })),
      );
      run.deadline.check();
      const done = await this.prisma.$transaction(async (tx) => {
        await this.assertCurrent(tx, run);
        const { count } = await tx.documentChunk.updateMany({
          where: { id: { in: batch.map((chunk) => chunk.id) }, embeddedAt: null },
          data: { embeddedAt: new Date() },
        });
        const updated = await tx.document.update({
          where: { id: run.documentId },
          data: { chunksDone: { increment: count } },
          select: { chunksDone: true },
        });
        return updated.chunksDone;
      });
      await run.progress({ status: DocumentStatus.embedding, chunks_done: done, chunks_total: total });
      if (this.options.batchPauseMs > 0) await sleep(this.options.batchPauseMs);
    }
  }

  /**
   * Bills one batch's embedding call (`feature: embedding`, to the document's uploader), before
   * the batch is marked embedded. The event id comes from the document, its ingestion request
   * (`attempt`: 1 on upload, +1 per reindex) and the batch's first chunk — never from the BullMQ
   * attempt — so a retried or resumed run that embeds the batch again emits the same id, and
   * billing records it once. A batch whose vectors all came from the cache reports nothing.
   */
  private async emitUsage(run: Run, firstPosition: number, tally: EmbeddingUsageTally, latencyMs: number): Promise<void> {
    const occurredAt = new Date().toISOString();
    await this.usage.emit(
      tally.usages().map((usage) => ({
        event_id: uuidFromName(`embedding:document:${run.documentId}:${run.attempt}:${firstPosition}:${usage.model}`),
        tenant_id: run.tenantId,
        user_id: run.userId,
        api_key_id: null,
        request_id: null,
        provider: usage.provider,
        model: usage.model,
        input_tokens: usage.inputTokens,
        output_tokens: 0,
        latency_ms: latencyMs,
        feature: 'embedding' as const,
        occurred_at: occurredAt,
      })),
    );
  }

  private async finish(run: Run, total: number): Promise<void> {
    const stored = await this.vectors.countDocument(run.space, run.tenantId, run.documentId);
    if (stored !== total) {
      // Points went missing under the run (the vector store was lost or restored): the marks no
      // longer say what is stored, so they are cleared and the retry embeds every chunk again.
      await this.prisma.$transaction(async (tx) => {
        await this.assertCurrent(tx, run);
        await tx.documentChunk.updateMany({ where: { documentId: run.documentId }, data: { embeddedAt: null } });
        await tx.document.update({ where: { id: run.documentId }, data: { chunksDone: 0 } });
      });
      throw new Error(`vector store holds ${stored} points for document ${run.documentId} but it has ${total} chunks; every chunk is embedded again on retry`);
    }
    run.deadline.check();
    const { count } = await this.prisma.document.updateMany({
      where: { id: run.documentId, attempts: run.attempt },
      data: { status: DocumentStatus.indexed, chunksDone: total, indexedAt: new Date(), error: null },
    });
    if (count === 0) throw await this.abandonment(run);
    await run.progress({ status: DocumentStatus.indexed, chunks_done: total, chunks_total: total });
  }

  private async setStatus(run: Run, status: DocumentStatus): Promise<void> {
    const { count } = await this.prisma.document.updateMany({
      where: { id: run.documentId, attempts: run.attempt },
      data: { status },
    });
    if (count === 0) throw await this.abandonment(run);
    const row = await this.prisma.document.findUnique({ where: { id: run.documentId }, select: { chunksDone: true, chunksTotal: true } });
    await run.progress({ status, chunks_done: row?.chunksDone ?? 0, chunks_total: row?.chunksTotal ?? 0 });
  }

  /** Locks the document row for the rest of the transaction and checks this run still owns it. */
  private async assertCurrent(tx: Prisma.TransactionClient, run: Run): Promise<void> {
    const rows = await tx.$queryRaw<{ attempts: number }[]>`SELECT attempts FROM documents WHERE id = ${run.documentId}::uuid FOR UPDATE`;
    if (rows.length === 0) throw new RunAbandoned('deleted');
    if (rows[0].attempts !== run.attempt) throw new RunAbandoned('superseded');
  }

  private async abandonment(run: Run): Promise<RunAbandoned> {
    const row = await this.prisma.document.findUnique({ where: { id: run.documentId }, select: { id: true } });
    return new RunAbandoned(row ? 'superseded' : 'deleted');
  }
}
