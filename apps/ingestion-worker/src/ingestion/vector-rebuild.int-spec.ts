import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { BlobStore } from '@conduit/blob-store';
import { QueueName } from '@conduit/contracts';
import { DocumentStatus, PrismaService } from '@conduit/db';
import { DocumentIngestProducer, VectorRebuild, type RebuildDocument, type RebuildProgress } from '@conduit/documents';
import type { Embedder } from '@conduit/embeddings';
import type { JobProducer } from '@conduit/queue';
import { createVectorStore, vectorSpaceFor, VectorSpaceNotFoundError, type ManagedVectorStore, type VectorPoint, type VectorSpace } from '@conduit/vector-store';
import { articleText, createDocumentFixture, removeTenantIds, type DocumentFixture } from '@conduit/testing';
import { enqueueIngestion, settleDocument, startIngestionTestApp, testIngestionOptions } from '../testing/ingestion-app.fixture';
import { INGEST_EMBEDDER } from './ingestion.constants';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/**
 * `admin reindex --all` after the vector store is lost: the pgvector table is dropped (a space of
 * its own, 168 dimensions, that no other suite uses), the rebuild hands the stored documents back
 * to the real ingestion worker, and the same searches answer the same. The run is resumable: a run
 * stopped part way leaves the rest to the next one, which skips what is already complete.
 */
describe('vector store rebuild (admin reindex --all) through the ingestion worker', () => {
  const DIMENSION = 168;
  const space = vectorSpaceFor('hashing-v2', DIMENSION);
  const table = `"vector_space_${space.name}"`;
  const prefix = `test-rebuild-${randomUUID().slice(0, 8)}`;
  let blobDir: string;
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let blobs: BlobStore;
  let producer: JobProducer;
  let vectors: ManagedVectorStore;
  let embedder: Embedder;
  const fixtures: DocumentFixture[] = [];

  const storedPoints = (document: RebuildDocument) =>
    vectors.countDocument(vectorSpaceFor(document.embeddingModel, document.embeddingDimension), document.tenantId, document.id).catch((error: unknown) => {
      if (error instanceof VectorSpaceNotFoundError) return 0;
      throw error;
    });
  const rebuild = () => new VectorRebuild(prisma, new DocumentIngestProducer(producer), storedPoints);
  const tenantIds = () => fixtures.map((f) => f.tenant.id);

  /** What retrieval returns for each document's tenant: ids, texts and scores of the top chunks. */
  async function answers(): Promise<unknown[]> {
    const [query] = await embedder.embed(['the history of the river and the harbour']);
    const out: unknown[] = [];
    for (const f of fixtures) {
      const hits = await vectors.search(space, query, { tenantId: f.tenant.id, collection: f.collection.id, limit: 5 });
      out.push(hits.map((hit) => ({ id: hit.id, text: hit.payload.text, document: hit.payload.document_id, score: hit.score.toFixed(6) })));
    }
    return out;
  }

  /** Called after each upsert the worker makes (a test may lose points there). */
  let afterUpsert: ((space: VectorSpace, points: VectorPoint[]) => Promise<void>) | undefined;

  beforeAll(async () => {
    blobDir = await mkdtemp(path.join(tmpdir(), 'conduit-rebuild-'));
    vectors = createVectorStore({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 3, efSearch: 100 });
    // The worker's view of the store: the same one, with a hook after each upsert.
    const workerVectors: ManagedVectorStore = Object.assign(Object.create(vectors) as ManagedVectorStore, {
      upsert: async (space: VectorSpace, points: VectorPoint[]) => {
        await vectors.upsert(space, points);
        await afterUpsert?.(space, points);
      },
      close: async () => undefined,
    });
    ({ app, prisma, blobs, producer } = await startIngestionTestApp({
      databaseUrl,
      redisUrl,
      prefix,
      blobDir,
      vectors: workerVectors,
      ingestion: testIngestionOptions({ embedBatchSize: 8, embeddings: { provider: 'hashing', model: 'hashing-v2', dimension: DIMENSION, batchSize: 8 } }),
    }));
    embedder = app.get<Embedder>(INGEST_EMBEDDER, { strict: false });
    for (let n = 0; n < 3; n += 1) {
      const f = await createDocumentFixture(prisma, blobs, { bytes: Buffer.from(articleText(12 + n * 4, n + 3)), dimension: DIMENSION });
      fixtures.push(f);
      await enqueueIngestion(producer, f);
    }
    for (const f of fixtures) expect((await settleDocument(prisma, f, 60_000)).status).toBe(DocumentStatus.indexed);
  }, 120_000);

  afterAll(async () => {
    if (prisma && fixtures.length > 0) await removeTenantIds(prisma, tenantIds());
    await vectors?.dropSpace(space);
    await app?.close();
    await vectors?.close();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  it('rebuilds every document after the vector table is dropped, resumably, and retrieval answers the same', async () => {
    const before = await answers();
    expect((before as unknown[][]).every((hits) => hits.length > 0)).toBe(true);
    const usage = producer.queue(QueueName.Usage);
    const usageJobsBefore = await usage.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');
    expect(usageJobsBefore).toBeGreaterThan(0);
    const chunksTotal = (await prisma.document.findMany({ where: { tenantId: { in: tenantIds() } } })).reduce((sum, d) => sum + d.chunksTotal, 0);

    // Nothing to do while every point is stored.
    expect(await rebuild().run({ tenantIds: tenantIds(), pollMs: 50 })).toMatchObject({ documents_total: 0, skipped_complete: 3 });

    // The vector store is lost.
    await prisma.$executeRawUnsafe(`DROP TABLE ${table}`);
    await expect(answers()).rejects.toBeInstanceOf(VectorSpaceNotFoundError);

    // A run that stops after one document (as if interrupted): one rebuilt, two left.
    const progress: RebuildProgress[] = [];
    const first = await rebuild().run({ tenantIds: tenantIds(), pollMs: 50, parallel: 1, limit: 1, onProgress: (p) => progress.push(p) });
    expect(first).toMatchObject({ documents_total: 3, documents_done: 1, documents_failed: 0, skipped_complete: 0, remaining: 2, chunks_total: chunksTotal });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.documents_done).toBe(1);

    // The next run skips the rebuilt document and finishes the others.
    const second = await rebuild().run({ tenantIds: tenantIds(), pollMs: 50, parallel: 2 });
    expect(second).toMatchObject({ documents_total: 2, documents_done: 2, documents_failed: 0, skipped_complete: 1, remaining: 0, failures: [] });

    const rows = await prisma.document.findMany({ where: { tenantId: { in: tenantIds() } }, include: { chunks: true } });
    for (const row of rows) {
      expect(row).toMatchObject({ status: DocumentStatus.indexed, attempts: 1, chunksDone: row.chunksTotal, error: null });
      expect(row.chunks.every((chunk) => chunk.embeddedAt !== null)).toBe(true);
      expect(await vectors.countDocument(space, row.tenantId, row.id)).toBe(row.chunksTotal);
    }
    expect(await answers()).toEqual(before);
    // The re-embedding carried the first ingestion's usage event ids: billing has nothing new to record.
    expect(await usage.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')).toBe(usageJobsBefore);
  });

  it('re-enqueues a document left queued by an interrupted run whose job was lost, and waits for it', async () => {
    const f = fixtures[0];
    await prisma.$executeRawUnsafe(`DELETE FROM ${table} WHERE document_id = $1::uuid`, f.document.id);
    // What a run interrupted between marking and enqueueing leaves (or a Redis lost with its jobs).
    await prisma.document.update({ where: { id: f.document.id }, data: { status: DocumentStatus.queued, chunksDone: 0 } });
    await prisma.documentChunk.updateMany({ where: { documentId: f.document.id }, data: { embeddedAt: null } });
    const report = await rebuild().run({ tenantIds: tenantIds(), pollMs: 50 });
    expect(report).toMatchObject({ documents_total: 1, documents_done: 1, skipped_complete: 2 });
    const row = await prisma.document.findUniqueOrThrow({ where: { id: f.document.id } });
    expect(await vectors.countDocument(space, f.tenant.id, f.document.id)).toBe(row.chunksTotal);
  });

  it('embeds every chunk again when points went missing under a run (the count check clears the marks, the retry rebuilds)', async () => {
    const f = await createDocumentFixture(prisma, blobs, { bytes: Buffer.from(articleText(16, 11)), dimension: DIMENSION });
    fixtures.push(f);
    let upserts = 0;
    afterUpsert = async (_space, points) => {
      upserts += 1;
      // The store loses the document's points after its second batch (a restore, a lost node).
      if (upserts === 2 && points[0]?.payload.document_id === f.document.id) await vectors.deleteDocument(space, f.tenant.id, f.document.id);
    };
    try {
      await enqueueIngestion(producer, f);
      const row = await settleDocument(prisma, f, 60_000);
      expect(row).toMatchObject({ status: DocumentStatus.indexed, chunksDone: row.chunksTotal, error: null });
      // More than one batch, and every batch was upserted again by the retry.
      expect(row.chunksTotal).toBeGreaterThan(8);
      expect(upserts).toBe(2 * Math.ceil(row.chunksTotal / 8));
      expect(await vectors.countDocument(space, f.tenant.id, f.document.id)).toBe(row.chunksTotal);
    } finally {
      afterUpsert = undefined;
    }
  });
});
