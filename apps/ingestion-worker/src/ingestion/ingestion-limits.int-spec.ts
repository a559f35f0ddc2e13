import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DocumentMediaType, documentIngestJobId } from '@conduit/contracts';
import { DocumentStatus } from '@conduit/db';
import { createVectorStore, vectorSpaceFor, type ManagedVectorStore } from '@conduit/vector-store';
import { enqueueIngestion, IngestionTestApp, settleDocument, startIngestionTestApp, testIngestionOptions } from '../testing/ingestion-app.fixture';
import { articleText, createDocumentFixture, DocumentFixture, randomLetters, removeTenantIds, waitFor } from '@conduit/testing';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const DEADLINE_MS = 5_000;

describe('ingestion limits: the per-document deadline and ceilings (real queue, Postgres, pgvector)', () => {
  const space = vectorSpaceFor('hashing-v2', 384);
  const fixtures: DocumentFixture[] = [];
  let blobDir: string;
  let vectors: ManagedVectorStore;
  let worker: IngestionTestApp;

  const fixture = async (bytes: Buffer, mediaType: DocumentMediaType = DocumentMediaType.Text) => {
    const created = await createDocumentFixture(worker.prisma, worker.blobs, { bytes, mediaType });
    fixtures.push(created);
    return created;
  };
  const jobOf = (f: DocumentFixture) => worker.producer.queue('ingestion').getJob(documentIngestJobId(f.document.id, 1));
  /** The document is marked failed (onFinalFailure) before BullMQ records the failure: wait for that too. */
  const failedJob = (f: DocumentFixture) =>
    waitFor(
      async () => {
        const job = await jobOf(f);
        return job && (await job.getState()) === 'failed' ? job : undefined;
      },
      { what: `BullMQ to record the failure of ${f.document.id}` },
    );

  beforeAll(async () => {
    blobDir = await mkdtemp(path.join(tmpdir(), 'conduit-ingest-limits-'));
    vectors = createVectorStore({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 2, efSearch: 100 });
    worker = await startIngestionTestApp({
      databaseUrl,
      redisUrl,
      prefix: `test-ingest-limits-${randomUUID().slice(0, 8)}`,
      blobDir,
      vectors,
      // One document at a time: the next one can only start once the slot is free again.
      ingestion: testIngestionOptions({
        concurrency: 1,
        documentDeadlineMs: DEADLINE_MS,
        batchPauseMs: 400,
        maxDocumentChars: 200_000_000,
        maxDocumentChunks: 1_000_000,
        processingMemoryMb: 1_024,
      }),
    });
  }, 30_000);

  afterAll(async () => {
    for (const f of fixtures) await vectors?.deleteDocument(space, f.tenant.id, f.document.id);
    if (worker && fixtures.length > 0) await removeTenantIds(worker.prisma, fixtures.map((f) => f.tenant.id));
    await worker?.app.close();
    await vectors?.close();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  it('deliver 3 (issue 12): a document still parsing at the deadline fails with processing_timeout, never retried, and the next document is processed', async () => {
    // 100 MB of random letters without a space: tens of seconds of tokenizing, against a 5 s deadline.
    const huge = await fixture(randomLetters(100_000_000));
    const next = await fixture(Buffer.from('A short note. It fits in one chunk.'));
    await enqueueIngestion(worker.producer, huge, 5);
    await enqueueIngestion(worker.producer, next);

    const failed = await settleDocument(worker.prisma, huge, 30_000);
    expect(failed.status).toBe(DocumentStatus.failed);
    expect(failed.error).toBe(
      `processing_timeout: the document was still being processed after ${DEADLINE_MS / 1_000} s (INGEST_DOCUMENT_DEADLINE_MS); split it into smaller documents`,
    );
    expect(failed.chunksTotal).toBe(0);
    expect(await worker.prisma.documentChunk.count({ where: { documentId: huge.document.id } })).toBe(0);

    const indexed = await settleDocument(worker.prisma, next, 30_000);
    expect(indexed).toMatchObject({ status: DocumentStatus.indexed, chunksTotal: 1, error: null });
    expect(indexed.indexedAt?.getTime()).toBeGreaterThanOrEqual(failed.updatedAt.getTime());
    expect((await failedJob(huge)).attemptsMade).toBe(1);
  }, 60_000);

  it('stops a run at the deadline between embedding batches as well', async () => {
    // ~400 chunks in batches of 8 with a 400 ms pause after each: well past the deadline.
    const long = await fixture(Buffer.from(articleText(400, 8)));
    await enqueueIngestion(worker.producer, long);
    const row = await settleDocument(worker.prisma, long, 30_000);
    expect(row.status).toBe(DocumentStatus.failed);
    expect(row.error).toMatch(/^processing_timeout: /);
    expect(row.chunksDone).toBeGreaterThan(0);
    expect(row.chunksDone).toBeLessThan(row.chunksTotal);
    expect((await failedJob(long)).attemptsMade).toBe(1);
  }, 60_000);

  it('fails HTML nested past MAX_HTML_DEPTH with document_too_complex, at once', async () => {
    const html = await fixture(Buffer.from(`<html><body>${'<div>'.repeat(50_000)}deep${'</div>'.repeat(50_000)}</body></html>`), DocumentMediaType.Html);
    await enqueueIngestion(worker.producer, html, 5);
    const row = await settleDocument(worker.prisma, html, 30_000);
    expect(row).toMatchObject({ status: DocumentStatus.failed, error: 'document_too_complex: the HTML nests elements more than 64 deep (MAX_HTML_DEPTH)' });
    expect((await failedJob(html)).attemptsMade).toBe(1);
  });
});
