import { Global, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BLOB_STORE, BlobStoreModule, type BlobStore } from '@conduit/blob-store';
import { documentIngestJobId, JobName } from '@conduit/contracts';
import { DbModule, DocumentStatus, PrismaService } from '@conduit/db';
import { JobProducer, QueueModule } from '@conduit/queue';
import { VECTOR_STORE, type VectorStore } from '@conduit/vector-store';
import { IngestionModule, type IngestionModuleOptions } from '../ingestion/ingestion.module';
import type { DocumentFixture } from '@conduit/testing';

export interface IngestionTestApp {
  app: INestApplicationContext;
  prisma: PrismaService;
  blobs: BlobStore;
  producer: JobProducer;
}

/** Small chunks and batches, the offline hashing embedder, generous limits: override what a test is about. */
export function testIngestionOptions(overrides: Partial<IngestionModuleOptions> = {}): IngestionModuleOptions {
  const batch = overrides.embedBatchSize ?? 8;
  return {
    embeddings: { provider: 'hashing', model: 'hashing-v2', dimension: 384, batchSize: batch },
    concurrency: 2,
    chunkTokens: 64,
    overlapTokens: 8,
    embedBatchSize: batch,
    batchPauseMs: 0,
    maxPdfPages: 100,
    maxDocumentChars: 1_000_000,
    maxDocumentChunks: 2_000,
    maxHtmlDepth: 64,
    documentDeadlineMs: 60_000,
    processingMemoryMb: 512,
    ...overrides,
  };
}

/** The ingestion worker in-process: real queue (Redis), Postgres and a filesystem blob store, writing to `vectors`. */
export async function startIngestionTestApp(options: {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  blobDir: string;
  vectors: VectorStore;
  ingestion: IngestionModuleOptions;
}): Promise<IngestionTestApp> {
  @Global()
  @Module({ providers: [{ provide: VECTOR_STORE, useValue: options.vectors }], exports: [VECTOR_STORE] })
  class TestVectorStoreModule {}
  @Module({
    imports: [
      DbModule.forRoot({ url: options.databaseUrl, poolSize: 4 }),
      QueueModule.forRoot({ redisUrl: options.redisUrl, prefix: options.prefix }),
      BlobStoreModule.forRoot({ kind: 'filesystem', dir: options.blobDir }),
      TestVectorStoreModule,
      IngestionModule.register(options.ingestion),
    ],
  })
  class WorkerTestModule {}
  const app = await NestFactory.createApplicationContext(WorkerTestModule, { logger: false, abortOnError: false });
  await app.init();
  return { app, prisma: app.get(PrismaService), blobs: app.get(BLOB_STORE), producer: app.get(JobProducer) };
}

/** Enqueues attempt 1 of the fixture's document as the gateway does. */
export async function enqueueIngestion(producer: JobProducer, f: DocumentFixture, attempts = 3): Promise<void> {
  await producer.enqueue(JobName.DocumentIngest, { document_id: f.document.id, tenant_id: f.tenant.id, attempt: 1 }, {
    jobId: documentIngestJobId(f.document.id, 1),
    attempts,
    backoff: { type: 'fixed', delay: 20 },
  });
}

/** Waits until the document is `indexed` or `failed`. */
export async function settleDocument(prisma: PrismaService, f: DocumentFixture, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await prisma.document.findUniqueOrThrow({ where: { id: f.document.id } });
    if (row.status === DocumentStatus.indexed || row.status === DocumentStatus.failed) return row;
    if (Date.now() > deadline) throw new Error(`document stuck in ${row.status}: ${row.error}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
