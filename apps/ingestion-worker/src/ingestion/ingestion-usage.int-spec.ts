import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { BlobStore } from '@conduit/blob-store';
import { JobName, QueueName, UsageEvent } from '@conduit/contracts';
import { DocumentStatus, PrismaService } from '@conduit/db';
import { RunningMockLlm, startMockLlmServer } from '@conduit/mock-llm';
import type { JobProducer } from '@conduit/queue';
import { articleText, createDocumentFixture, DocumentFixture, removeTenantIds } from '@conduit/testing';
import { createVectorStore, vectorSpaceFor, type ManagedVectorStore } from '@conduit/vector-store';
import { enqueueIngestion, settleDocument, startIngestionTestApp, testIngestionOptions } from '../testing/ingestion-app.fixture';
import { IngestionPipeline } from './ingestion.pipeline';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const MODEL = 'text-embedding-3-small';
const DIMENSION = 64;
const BATCH = 8;

/**
 * Embeddings are billed (issue 13, deliver 5): each batch the worker embeds emits a usage event
 * with `feature: embedding`, the provider's token count and the uploader as the user, through the
 * usage producer billing consumes; a retried ingestion emits the same event ids, so it is billed
 * once. The embedder is the real OpenAI client against mock-llm's `/v1/embeddings`.
 */
describe('ingestion bills its embeddings (real Postgres, pgvector, Redis; OpenAI embedder against mock-llm)', () => {
  const prefix = `test-ingest-usage-${randomUUID().slice(0, 8)}`;
  let blobDir: string;
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let blobs: BlobStore;
  let producer: JobProducer;
  let pgvector: ManagedVectorStore;
  let mock: RunningMockLlm;
  const fixtures: DocumentFixture[] = [];

  const usageEventsOf = async (tenantId: string) =>
    (await producer.queue(QueueName.Usage).getJobs(['waiting', 'delayed', 'active', 'completed']))
      .filter((job) => job?.name === JobName.UsageRecord && (job.data as UsageEvent).tenant_id === tenantId)
      .map((job) => ({ id: job.id, ...(job.data as UsageEvent) }));

  beforeAll(async () => {
    mock = await startMockLlmServer({ embeddingDimensions: DIMENSION });
    blobDir = await mkdtemp(path.join(tmpdir(), 'conduit-ingest-usage-'));
    pgvector = createVectorStore({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 3, efSearch: 100 });
    ({ app, prisma, blobs, producer } = await startIngestionTestApp({
      databaseUrl,
      redisUrl,
      prefix,
      blobDir,
      vectors: pgvector,
      ingestion: testIngestionOptions({
        embedBatchSize: BATCH,
        embeddings: { provider: 'openai', model: MODEL, dimension: DIMENSION, dimensionsConfigured: true, baseURL: `${mock.url}/v1`, apiKey: 'mock', batchSize: BATCH, cacheTtlSeconds: 0 },
      }),
    }));
  }, 30_000);

  afterAll(async () => {
    for (const f of fixtures) await pgvector?.deleteDocument(vectorSpaceFor(MODEL, DIMENSION), f.tenant.id, f.document.id);
    if (prisma && fixtures.length > 0) await removeTenantIds(prisma, fixtures.map((f) => f.tenant.id));
    await producer?.queue(QueueName.Usage).obliterate({ force: true });
    await app?.close();
    await pgvector?.close();
    await mock?.close();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  it('emits one embedding usage event per embedded batch, with the provider’s token count, billed to the uploader', async () => {
    const f = await createDocumentFixture(prisma, blobs, { bytes: Buffer.from(articleText(30, 11)), model: MODEL, dimension: DIMENSION });
    fixtures.push(f);
    mock.state.requests.clear();
    await enqueueIngestion(producer, f);
    const indexed = await settleDocument(prisma, f, 30_000);
    expect(indexed.status).toBe(DocumentStatus.indexed);

    const calls = mock.state.requests.list().filter((r) => r.path === '/v1/embeddings');
    const batches = Math.ceil(indexed.chunksTotal / BATCH);
    expect(calls).toHaveLength(batches);
    const events = await usageEventsOf(f.tenant.id);
    expect(events).toHaveLength(batches);
    for (const event of events) {
      expect(event).toMatchObject({
        feature: 'embedding',
        provider: 'openai',
        model: MODEL,
        user_id: f.user.id,
        output_tokens: 0,
        reservation_id: null,
      });
      expect(event.input_tokens).toBeGreaterThan(0);
    }
    // Exactly what the provider said it counted.
    expect(events.reduce((sum, e) => sum + e.input_tokens, 0)).toBe(calls.reduce((sum, c) => sum + c.prompt_tokens, 0));
  });

  it('bills a retried ingestion once: embedding the same batches again emits the same event ids', async () => {
    const f = await createDocumentFixture(prisma, blobs, { bytes: Buffer.from(articleText(12, 5)), model: MODEL, dimension: DIMENSION });
    fixtures.push(f);
    await enqueueIngestion(producer, f);
    await settleDocument(prisma, f, 30_000);
    const first = await usageEventsOf(f.tenant.id);
    expect(first.length).toBeGreaterThan(0);

    // As after a crash between the upserts and the commit of every batch: the run embeds everything again.
    await prisma.documentChunk.updateMany({ where: { documentId: f.document.id }, data: { embeddedAt: null } });
    await prisma.document.update({ where: { id: f.document.id }, data: { status: DocumentStatus.embedding, chunksDone: 0 } });
    mock.state.requests.clear();
    expect(await app.get(IngestionPipeline).run({ document_id: f.document.id, tenant_id: f.tenant.id, attempt: 1 })).toMatchObject({ outcome: 'indexed' });
    expect(mock.state.requests.list().filter((r) => r.path === '/v1/embeddings').length).toBe(first.length);

    const after = await usageEventsOf(f.tenant.id);
    expect(after.map((e) => e.event_id).sort()).toEqual(first.map((e) => e.event_id).sort());
  });
});
