import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { BlobStore } from '@conduit/blob-store';
import { DocumentIngest, DocumentMediaType, documentIngestJobId, JobName } from '@conduit/contracts';
import { DocumentStatus, PrismaService } from '@conduit/db';
import type { Redis } from 'ioredis';
import { type JobProducer, REDIS_CONNECTION } from '@conduit/queue';
import {
  createVectorStore,
  vectorSpaceFor,
  type ManagedVectorStore,
  type VectorPoint,
  type VectorSpace,
  type VectorStore,
} from '@conduit/vector-store';
import { chunkText } from '../chunking/recursive-chunker';
import { cl100kTokens } from '../chunking/tokenizer';
import { cleanText } from '../parsing/text-cleaner';
import { enqueueIngestion, settleDocument, startIngestionTestApp, testIngestionOptions } from '../testing/ingestion-app.fixture';
import { articleText, createDocumentFixture, DocumentFixture, removeTenantIds, waitFor } from '@conduit/testing';
import { buildPdf, corruptPdf } from '@conduit/testing';
import { IngestionPipeline } from './ingestion.pipeline';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const CHUNK_TOKENS = 64;
const OVERLAP_TOKENS = 8;
const BATCH = 8;

/** Upserts go to the real pgvector store; a test can make one upsert fail before or after it writes. */
class FaultyVectorStore implements VectorStore {
  readonly kind = 'pgvector' as const;
  upserts = 0;
  upserted: VectorPoint[][] = [];
  failOn: { upsert: number; when: 'before' | 'after'; onFail?: () => Promise<void> } | undefined;
  afterUpsert: ((n: number) => Promise<void>) | undefined;

  constructor(readonly inner: ManagedVectorStore) {}

  ensureSpace(space: VectorSpace) {
    return this.inner.ensureSpace(space);
  }
  async upsert(space: VectorSpace, points: VectorPoint[]) {
    this.upserts += 1;
    const fail = this.failOn?.upsert === this.upserts ? this.failOn : undefined;
    if (fail?.when === 'before') {
      await fail.onFail?.();
      throw new Error('injected failure before the upsert');
    }
    await this.inner.upsert(space, points);
    this.upserted.push(points);
    await this.afterUpsert?.(this.upserts);
    if (fail?.when === 'after') {
      await fail.onFail?.();
      throw new Error('injected crash after the upsert, before its batch was committed');
    }
  }
  search(...args: Parameters<VectorStore['search']>) {
    return this.inner.search(...args);
  }
  deleteDocument(space: VectorSpace, tenantId: string, documentId: string) {
    return this.inner.deleteDocument(space, tenantId, documentId);
  }
  countDocument(space: VectorSpace, tenantId: string, documentId: string) {
    return this.inner.countDocument(space, tenantId, documentId);
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return Promise.resolve();
  }
}

describe('ingestion worker pipeline (real Postgres, pgvector, Redis, hashing embedder)', () => {
  const space = vectorSpaceFor('hashing-v2', 384);
  const prefix = `test-ingest-${randomUUID().slice(0, 8)}`;
  let blobDir: string;
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let blobs: BlobStore;
  let producer: JobProducer;
  let pgvector: ManagedVectorStore;
  let vectors: FaultyVectorStore;
  const fixtures: DocumentFixture[] = [];

  const expectedChunks = (text: string) => chunkText(cleanText(text), { chunkTokens: CHUNK_TOKENS, overlapTokens: OVERLAP_TOKENS, count: cl100kTokens });

  async function fixture(bytes: Buffer, mediaType: DocumentMediaType = DocumentMediaType.Text, extra: { model?: string; dimension?: number } = {}) {
    const created = await createDocumentFixture(prisma, blobs, { bytes, mediaType, ...extra });
    fixtures.push(created);
    return created;
  }

  const jobOf = (f: DocumentFixture, attempt = 1): DocumentIngest => ({ document_id: f.document.id, tenant_id: f.tenant.id, attempt });

  const enqueue = (f: DocumentFixture, attempts = 3) => enqueueIngestion(producer, f, attempts);
  const settle = (f: DocumentFixture, timeoutMs?: number) => settleDocument(prisma, f, timeoutMs);

  const vectorCount = (f: DocumentFixture) => pgvector.countDocument(space, f.tenant.id, f.document.id);

  beforeAll(async () => {
    blobDir = await mkdtemp(path.join(tmpdir(), 'conduit-ingest-'));
    pgvector = createVectorStore({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 3, efSearch: 100 });
    vectors = new FaultyVectorStore(pgvector);
    ({ app, prisma, blobs, producer } = await startIngestionTestApp({
      databaseUrl,
      redisUrl,
      prefix,
      blobDir,
      vectors,
      ingestion: testIngestionOptions({ chunkTokens: CHUNK_TOKENS, overlapTokens: OVERLAP_TOKENS, embedBatchSize: BATCH }),
    }));
  }, 30_000);

  afterAll(async () => {
    for (const f of fixtures) await pgvector?.deleteDocument(space, f.tenant.id, f.document.id);
    if (prisma && fixtures.length > 0) await removeTenantIds(prisma, fixtures.map((f) => f.tenant.id));
    await app?.close();
    await pgvector?.close();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    vectors.failOn = undefined;
    vectors.afterUpsert = undefined;
    vectors.upserts = 0;
    vectors.upserted = [];
  });

  it('takes a queued document to indexed with exactly one vector per chunk, payloads included', async () => {
    const text = articleText(40, 7);
    const f = await fixture(Buffer.from(text));
    const expected = expectedChunks(text);
    expect(expected.length).toBeGreaterThan(3 * BATCH);
    await enqueue(f);
    const row = await settle(f);
    expect(row).toMatchObject({ status: DocumentStatus.indexed, error: null, chunksTotal: expected.length, chunksDone: expected.length });
    expect(row.indexedAt).toBeInstanceOf(Date);
    expect(await vectorCount(f)).toBe(expected.length);

    const chunks = await prisma.documentChunk.findMany({ where: { documentId: f.document.id }, orderBy: { position: 'asc' } });
    expect(chunks.map((c) => ({ text: c.text, start: c.startOffset, end: c.endOffset, tokens: c.tokenCount }))).toEqual(
      expected.map((c) => ({ text: c.text, start: c.start, end: c.end, tokens: c.tokens })),
    );
    expect(chunks.every((c) => c.embeddedAt !== null && c.tenantId === f.tenant.id)).toBe(true);
    expect(vectors.upserted.map((batch) => batch.length)).toEqual(expected.map((_, i) => i).filter((i) => i % BATCH === 0).map((i) => Math.min(BATCH, expected.length - i)));

    const [hit] = await pgvector.search(space, (vectors.upserted[1][2]).vector, { tenantId: f.tenant.id, collection: f.collection.id, limit: 1 });
    expect(hit.payload).toEqual({
      tenant_id: f.tenant.id,
      user_id: f.user.id, // the uploader: private collections are searched by it
      document_id: f.document.id,
      collection: f.collection.id,
      chunk_index: BATCH + 2,
      text: expected[BATCH + 2].text,
      start_offset: expected[BATCH + 2].start,
      end_offset: expected[BATCH + 2].end,
    });
    expect(hit.id).toBe(chunks[BATCH + 2].id);
  });

  it('resumes after a mid-document failure from the last committed batch, not from zero', async () => {
    const text = articleText(40, 11);
    const f = await fixture(Buffer.from(text));
    const total = expectedChunks(text).length;
    let atFailure: { chunksDone: number; embedded: number } | undefined;
    vectors.failOn = {
      upsert: 3,
      when: 'before',
      onFail: async () => {
        const row = await prisma.document.findUniqueOrThrow({ where: { id: f.document.id } });
        atFailure = { chunksDone: row.chunksDone, embedded: await prisma.documentChunk.count({ where: { documentId: f.document.id, embeddedAt: { not: null } } }) };
      },
    };
    await enqueue(f);
    const row = await settle(f);
    expect(atFailure).toEqual({ chunksDone: 2 * BATCH, embedded: 2 * BATCH });
    expect(row).toMatchObject({ status: DocumentStatus.indexed, chunksDone: total, chunksTotal: total, error: null });
    // Upserts: batches 1-2, the failed third call, then the retry starting at chunk 16.
    const firstIndexes = vectors.upserted.map((batch) => batch[0].payload.chunk_index);
    expect(firstIndexes.slice(0, 3)).toEqual([0, BATCH, 2 * BATCH]);
    expect(vectors.upserted.flat().filter((p) => p.payload.chunk_index < 2 * BATCH)).toHaveLength(2 * BATCH);
    expect(vectors.upserted.flat()).toHaveLength(total);
    expect(await vectorCount(f)).toBe(total);
    const job = await producer.queue('ingestion').getJob(documentIngestJobId(f.document.id, 1));
    expect(job?.attemptsMade).toBe(2);
    expect(job?.returnvalue).toEqual({ outcome: 'indexed', chunks: total, resumed_from: 2 * BATCH });
  });

  it('never duplicates vectors when a batch is upserted again (crash after upsert, before commit; full re-run)', async () => {
    const text = articleText(30, 5);
    const f = await fixture(Buffer.from(text));
    const total = expectedChunks(text).length;
    vectors.failOn = { upsert: 2, when: 'after' };
    await enqueue(f);
    expect(await settle(f)).toMatchObject({ status: DocumentStatus.indexed, chunksDone: total });
    // Batch 2 was written twice.
    expect(vectors.upserted.flat()).toHaveLength(total + BATCH);
    expect(await vectorCount(f)).toBe(total);

    // A full re-run over the same chunks (e.g. an operator resets embedded_at) overwrites in place.
    await prisma.documentChunk.updateMany({ where: { documentId: f.document.id }, data: { embeddedAt: null } });
    await prisma.document.update({ where: { id: f.document.id }, data: { status: DocumentStatus.embedding, chunksDone: 0 } });
    const outcome = await app.get(IngestionPipeline).run(jobOf(f));
    expect(outcome).toEqual({ outcome: 'indexed', chunks: total, resumed_from: 0 });
    expect(await vectorCount(f)).toBe(total);
    // And a redelivered job for an indexed document does nothing.
    await expect(app.get(IngestionPipeline).run(jobOf(f))).resolves.toEqual({ outcome: 'skipped', reason: 'already_indexed' });
  });

  it('indexes PDF and HTML documents', async () => {
    const pdf = await fixture(buildPdf([['Conduit keeps documents searchable.', 'Every chunk gets a vector.'], ['Page two has more text.']]), DocumentMediaType.Pdf);
    const html = await fixture(Buffer.from('<html><body><nav>menu</nav><h1>Title</h1><p>Some real content here.</p></body></html>'), DocumentMediaType.Html);
    await Promise.all([enqueue(pdf), enqueue(html)]);
    expect(await settle(pdf)).toMatchObject({ status: DocumentStatus.indexed, chunksTotal: 1 });
    expect(await settle(html)).toMatchObject({ status: DocumentStatus.indexed, chunksTotal: 1 });
    const [pdfChunk] = await prisma.documentChunk.findMany({ where: { documentId: pdf.document.id } });
    expect(pdfChunk.text).toBe('Conduit keeps documents searchable.\nEvery chunk gets a vector.\n\nPage two has more text.');
    const [htmlChunk] = await prisma.documentChunk.findMany({ where: { documentId: html.document.id } });
    expect(htmlChunk.text).toBe('# Title\n\nSome real content here.');
  });

  it('fails a corrupt PDF at once with a reason, never retried and never stuck', async () => {
    const f = await fixture(corruptPdf(), DocumentMediaType.Pdf);
    await enqueue(f, 5);
    const row = await settle(f);
    expect(row.status).toBe(DocumentStatus.failed);
    expect(row.error).toMatch(/^not a valid PDF|^the PDF could not be read/);
    expect(row.chunksTotal).toBe(0);
    // The document is marked failed while the run fails; BullMQ records the failure right after.
    const job = await producer.queue('ingestion').getJob(documentIngestJobId(f.document.id, 1));
    await waitFor(async () => job?.getState(), { what: 'BullMQ to record the failure', until: (state) => state === 'failed' });
    expect((await producer.queue('ingestion').getJob(documentIngestJobId(f.document.id, 1)))?.attemptsMade).toBe(1);
    expect(await vectorCount(f)).toBe(0);
  });

  it('marks the document failed when retries run out on a transient error', async () => {
    const f = await fixture(Buffer.from(articleText(3)));
    vectors.failOn = { upsert: 1, when: 'before' };
    await enqueue(f, 1);
    const row = await settle(f);
    expect(row).toMatchObject({ status: DocumentStatus.failed, error: 'Error: injected failure before the upsert' });
  });

  it('refuses a collection embedded with another model', async () => {
    const f = await fixture(Buffer.from('Some text.'), DocumentMediaType.Text, { model: 'text-embedding-3-small', dimension: 1536 });
    await enqueue(f);
    const row = await settle(f);
    expect(row.status).toBe(DocumentStatus.failed);
    expect(row.error).toMatch(/holds text-embedding-3-small vectors \(1536 dimensions\) but the ingestion worker embeds with hashing-v2 \(384\)/);
  });

  it('removes what it upserted when the document is deleted between an upsert and its commit', async () => {
    const f = await fixture(Buffer.from(articleText(30, 3)));
    // The API deletes the document (vectors, then row) right after the worker's second upsert.
    vectors.afterUpsert = async (n) => {
      if (n !== 2) return;
      await pgvector.deleteDocument(space, f.tenant.id, f.document.id);
      await prisma.document.delete({ where: { id: f.document.id } });
    };
    await expect(app.get(IngestionPipeline).run(jobOf(f))).resolves.toEqual({ outcome: 'skipped', reason: 'deleted' });
    expect(vectors.upserted).toHaveLength(2);
    expect(await vectorCount(f)).toBe(0);
    expect(await prisma.documentChunk.count({ where: { documentId: f.document.id } })).toBe(0);
    await expect(app.get(IngestionPipeline).run(jobOf(f))).resolves.toEqual({ outcome: 'skipped', reason: 'deleted' });
  });

  it('skips a stale job of an earlier attempt', async () => {
    const f = await fixture(Buffer.from('Some text.'));
    await prisma.document.update({ where: { id: f.document.id }, data: { attempts: 2 } });
    await expect(app.get(IngestionPipeline).run(jobOf(f, 1))).resolves.toEqual({ outcome: 'skipped', reason: 'superseded' });
    expect((await prisma.document.findUniqueOrThrow({ where: { id: f.document.id } })).status).toBe(DocumentStatus.queued);
  });

  it('marks the document failed when the queue fails its job without running it (stalled too often)', async () => {
    const f = await fixture(Buffer.from('Some text.'));
    await prisma.document.update({ where: { id: f.document.id }, data: { status: DocumentStatus.embedding } });
    const queue = producer.queue('ingestion');
    const job = await queue.add(JobName.DocumentIngest, jobOf(f), { jobId: documentIngestJobId(f.document.id, 1), delay: 60_000, attempts: 3 });
    // What BullMQ's stalled check writes on a job whose workers kept dying: the next worker fails it unrun.
    await app.get<Redis>(REDIS_CONNECTION).hset(`${prefix}:ingestion:${job.id}`, 'defa', 'job stalled more than allowable limit');
    await job.promote();
    expect(await settle(f)).toMatchObject({ status: DocumentStatus.failed, error: 'ingestion job failed: job stalled more than allowable limit' });
    expect(await vectorCount(f)).toBe(0);
  });
});
