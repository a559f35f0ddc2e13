import { setTimeout as sleep } from 'node:timers/promises';
import { DocumentStatus, PrismaService } from '@conduit/db';
import { DocumentIngestProducer } from './document-ingest.producer';

/** A stored document as the rebuild sees it. */
export interface RebuildDocument {
  id: string;
  tenantId: string;
  attempts: number;
  chunksTotal: number;
  embeddingModel: string;
  embeddingDimension: number;
}

/** How many points the vector store holds for a document (0 when its space is gone). */
export type StoredPointCounter = (document: RebuildDocument) => Promise<number>;

export interface RebuildProgress {
  /** Documents this run rebuilds (or waits for: an ingestion already under way). */
  documents_total: number;
  documents_done: number;
  documents_failed: number;
  chunks_total: number;
  chunks_done: number;
  /** Indexed documents whose points were all in the vector store: left as they are. */
  skipped_complete: number;
  /** Documents that already failed ingestion before the run (they have no vectors to rebuild). */
  skipped_failed: number;
}

export interface RebuildReport extends RebuildProgress {
  /** Documents whose rebuild failed, with the worker's reason. */
  failures: { document_id: string; error: string | null }[];
  /** Documents deleted or reindexed by their user while the run waited for them. */
  overtaken: number;
  /** Documents not handed to the worker (a run stopped by `limit`): the next run rebuilds them. */
  remaining: number;
}

export interface RebuildOptions {
  /** Documents handed to the ingestion worker at once. Default 8. */
  parallel?: number;
  /** How often the documents' state is read back. Default 1000 ms. */
  pollMs?: number;
  /** Called after every poll, and once at the end. */
  onProgress?: (progress: RebuildProgress) => void;
  /** Called when nothing moved for `stallMs` (default 60 s): the ingestion worker may not be running. */
  onStall?: (idleMs: number) => void;
  stallMs?: number;
  /** Only these tenants' documents (default: every tenant's). */
  tenantIds?: string[];
  /** Hand at most this many documents to the worker, then stop after they finish (a partial run, as if interrupted). */
  limit?: number;
}

const WORKING: DocumentStatus[] = [DocumentStatus.queued, DocumentStatus.parsing, DocumentStatus.chunking, DocumentStatus.embedding];
const PAGE = 500;

/**
 * Rebuilds the vector store from the stored documents (`admin reindex --all`), through the
 * ingestion worker's own path: an indexed document whose points are not all in the store gets
 * its chunks' `embedded_at` cleared and its current attempt enqueued again, so the worker embeds
 * and upserts every stored chunk under the same point ids (same text, same answers) and marks the
 * document `indexed` again. The attempt is kept: the usage event ids are those of the first
 * ingestion, so billing records the re-embedding once.
 *
 * Progress is the documents' own state in Postgres, so the run is resumable: a re-run skips
 * documents whose points are all stored, waits for those still being ingested (re-enqueueing their
 * job if it was lost with Redis) and rebuilds the rest. Documents that failed ingestion are left
 * alone (reindex them one by one).
 */
export class VectorRebuild {
  constructor(
    private readonly prisma: PrismaService,
    private readonly ingest: DocumentIngestProducer,
    private readonly storedPoints: StoredPointCounter,
  ) {}

  async run(options: RebuildOptions = {}): Promise<RebuildReport> {
    const parallel = Math.max(1, options.parallel ?? 8);
    const pollMs = options.pollMs ?? 1_000;
    const stallMs = options.stallMs ?? 60_000;
    const report: RebuildReport = {
      documents_total: 0,
      documents_done: 0,
      documents_failed: 0,
      chunks_total: 0,
      chunks_done: 0,
      skipped_complete: 0,
      skipped_failed: 0,
      failures: [],
      overtaken: 0,
      remaining: 0,
    };
    const pending: RebuildDocument[] = [];
    /** Handed to the worker, by id: the attempt it runs and the chunks done when last seen. */
    const inFlight = new Map<string, { document: RebuildDocument; chunksDone: number }>();
    for await (const page of this.pages(options.tenantIds)) {
      for (const row of page) {
        const document = row.document;
        if (row.status === DocumentStatus.failed) {
          report.skipped_failed += 1;
        } else if (WORKING.includes(row.status)) {
          report.documents_total += 1;
          report.chunks_total += document.chunksTotal;
          // Already under way (an upload, or an earlier run interrupted): make sure its job exists.
          await this.ingest.requeue(document, document.attempts);
          inFlight.set(document.id, { document, chunksDone: 0 });
        } else if ((await this.storedPoints(document)) === document.chunksTotal) {
          report.skipped_complete += 1;
        } else {
          report.documents_total += 1;
          report.chunks_total += document.chunksTotal;
          pending.push(document);
        }
      }
    }

    let handedOut = 0;
    let lastChange = Date.now();
    let lastSeen = -1;
    for (;;) {
      while (inFlight.size < parallel && pending.length > 0 && (options.limit === undefined || handedOut < options.limit)) {
        const document = pending.shift() as RebuildDocument;
        if (await this.markForRebuild(document)) {
          await this.ingest.requeue(document, document.attempts);
          inFlight.set(document.id, { document, chunksDone: 0 });
          handedOut += 1;
        } else {
          report.overtaken += 1;
          report.documents_total -= 1;
          report.chunks_total -= document.chunksTotal;
        }
      }
      if (inFlight.size === 0) break;
      await sleep(pollMs);
      await this.poll(inFlight, report);
      const seen = report.chunks_done + report.documents_done + report.documents_failed + report.overtaken;
      if (seen !== lastSeen) {
        lastSeen = seen;
        lastChange = Date.now();
      } else if (Date.now() - lastChange >= stallMs) {
        options.onStall?.(Date.now() - lastChange);
        lastChange = Date.now();
      }
      options.onProgress?.(progressOf(report, inFlight));
    }
    const final = progressOf(report, inFlight);
    options.onProgress?.(final);
    return { ...report, ...final, remaining: pending.length };
  }

  /** Every document (of the tenants), by id, with what the rebuild needs to know. */
  private async *pages(tenantIds: string[] | undefined) {
    let after: string | undefined;
    for (;;) {
      const rows = await this.prisma.document.findMany({
        where: { ...(after ? { id: { gt: after } } : {}), ...(tenantIds ? { tenantId: { in: tenantIds } } : {}) },
        orderBy: { id: 'asc' },
        take: PAGE,
        select: {
          id: true,
          tenantId: true,
          status: true,
          attempts: true,
          chunksTotal: true,
          collection: { select: { embeddingModel: true, embeddingDimension: true } },
        },
      });
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map((row) => ({
        status: row.status,
        document: {
          id: row.id,
          tenantId: row.tenantId,
          attempts: row.attempts,
          chunksTotal: row.chunksTotal,
          embeddingModel: row.collection.embeddingModel,
          embeddingDimension: row.collection.embeddingDimension,
        },
      }));
    }
  }

  /**
   * Puts an indexed document back to `queued` with no chunk embedded, in one transaction; false
   * when it changed meanwhile (deleted, or reindexed by its user: that ingestion rebuilds it).
   */
  private async markForRebuild(document: RebuildDocument): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.document.updateMany({
        where: { id: document.id, attempts: document.attempts, status: DocumentStatus.indexed },
        data: { status: DocumentStatus.queued, chunksDone: 0, error: null },
      });
      if (count === 0) return false;
      await tx.documentChunk.updateMany({ where: { documentId: document.id }, data: { embeddedAt: null } });
      return true;
    });
  }

  private async poll(inFlight: Map<string, { document: RebuildDocument; chunksDone: number }>, report: RebuildReport): Promise<void> {
    const rows = await this.prisma.document.findMany({
      where: { id: { in: [...inFlight.keys()] } },
      select: { id: true, status: true, attempts: true, chunksDone: true, error: true },
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const [id, entry] of inFlight) {
      const row = byId.get(id);
      if (!row || row.attempts !== entry.document.attempts) {
        // Deleted, or reindexed by its user (that newer attempt rebuilds its vectors).
        inFlight.delete(id);
        report.overtaken += 1;
        report.documents_total -= 1;
        report.chunks_total -= entry.document.chunksTotal;
      } else if (row.status === DocumentStatus.indexed) {
        inFlight.delete(id);
        report.documents_done += 1;
        report.chunks_done += entry.document.chunksTotal;
      } else if (row.status === DocumentStatus.failed) {
        inFlight.delete(id);
        report.documents_failed += 1;
        report.failures.push({ document_id: id, error: row.error });
      } else {
        entry.chunksDone = row.chunksDone;
      }
    }
  }
}

function progressOf(report: RebuildReport, inFlight: Map<string, { chunksDone: number }>): RebuildProgress {
  let working = 0;
  for (const entry of inFlight.values()) working += entry.chunksDone;
  return {
    documents_total: report.documents_total,
    documents_done: report.documents_done,
    documents_failed: report.documents_failed,
    chunks_total: report.chunks_total,
    chunks_done: report.chunks_done + working,
    skipped_complete: report.skipped_complete,
    skipped_failed: report.skipped_failed,
  };
}
