import { randomBytes } from 'node:crypto';
import { DocumentStatus, type PrismaClient } from '@conduit/db';
import type { ManagedVectorStore } from '@conduit/vector-store';
import { articleText, buildPdf, corruptPdf, type TenantWithUser, waitFor } from '@conduit/testing';
import { HASHING_SPACE as space, IngestionFixture, openIngestionFixture } from './support/ingestion-fixture';
import { RunningService, startReady } from './support/service-process';

interface DocumentObject {
  id: string;
  status: string;
  error: string | null;
  media_type: string;
  progress: { chunks_done: number; chunks_total: number };
}

const BATCH = 8;

describe('ingestion: gateway and ingestion worker as processes', () => {
  const prefix = `e2e-ingest-${randomBytes(4).toString('hex')}`;
  let fixture: IngestionFixture;
  let blobDir: string;
  let prisma: PrismaClient;
  let vectors: ManagedVectorStore;
  let gateway: RunningService;
  let worker: RunningService | undefined;
  let owner: TenantWithUser;

  const shared = () => ({ BLOB_DIR: blobDir, QUEUE_PREFIX: prefix, VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing' });
  // Small chunks, small batches and a pause per batch: a long document takes seconds, so the worker can be killed
  // mid-way. Short job locks: a dead worker's job is taken over within seconds instead of 30-60 s.
  const startWorker = () =>
    startReady('ingestion-worker', {
      ...shared(),
      CHUNK_TOKENS: '64',
      CHUNK_OVERLAP_TOKENS: '8',
      EMBEDDINGS_BATCH_SIZE: String(BATCH),
      INGEST_BATCH_PAUSE_MS: '60',
      INGEST_LOCK_DURATION_MS: '3000',
      INGEST_STALLED_INTERVAL_MS: '2000',
      LOG_LEVEL: 'info', // the test reads the worker's "resuming ingestion" line
    });

  async function upload(filename: string, bytes: Buffer, collection = 'e2e'): Promise<DocumentObject> {
    const form = new FormData();
    form.append('collection', collection);
    form.append('file', new Blob([bytes]), filename);
    const response = await fetch(`${gateway.url}/v1/documents`, { method: 'POST', headers: { authorization: owner.authHeader }, body: form });
    expect(response.status).toBe(202);
    return (await response.json()) as DocumentObject;
  }

  async function get(id: string): Promise<DocumentObject> {
    const response = await fetch(`${gateway.url}/v1/documents/${id}`, { headers: { authorization: owner.authHeader } });
    expect(response.status).toBe(200);
    return (await response.json()) as DocumentObject;
  }

  async function waitForDocument(id: string, accept: (document: DocumentObject) => boolean, timeoutMs: number): Promise<DocumentObject> {
    try {
      return await waitFor(() => get(id), { what: `document ${id}`, until: accept, timeoutMs });
    } catch (error) {
      throw new Error(`${String(error)}\n${worker?.output().slice(-3000) ?? ''}`);
    }
  }
  const settled = (d: DocumentObject) => d.status === 'indexed' || d.status === 'failed';

  beforeAll(async () => {
    fixture = await openIngestionFixture();
    ({ blobDir, prisma, vectors, owner } = fixture);
    [gateway, worker] = await Promise.all([startReady('api-gateway', shared()), startWorker()]);
  });

  afterAll(async () => {
    await fixture?.close([gateway, worker]);
  });

  it('reports the vector store in the worker readiness', async () => {
    const body = (await (await fetch(`${worker?.url}/health/ready`)).json()) as { info: Record<string, unknown> };
    expect(Object.keys(body.info)).toEqual(expect.arrayContaining(['postgres', 'redis', 'vector-store']));
  });

  it('indexes uploads (text, PDF) with one vector per chunk, fails a corrupt PDF with a reason, and deletes vectors', async () => {
    const text = await upload('guide.txt', Buffer.from(articleText(12, 2)));
    const pdf = await upload('slides.bin', buildPdf([['Quarterly results were strong.', 'Revenue grew.'], ['Outlook is stable.']]));
    const corrupt = await upload('broken.pdf', corruptPdf());
    expect(pdf.media_type).toBe('application/pdf');

    const [textDone, pdfDone, corruptDone] = await Promise.all([text, pdf, corrupt].map((d) => waitForDocument(d.id, settled, 30_000)));
    for (const done of [textDone, pdfDone]) {
      expect(done).toMatchObject({ status: 'indexed', error: null });
      expect(done.progress.chunks_done).toBe(done.progress.chunks_total);
      expect(await vectors.countDocument(space, owner.tenant.id, done.id)).toBe(done.progress.chunks_total);
    }
    expect(textDone.progress.chunks_total).toBeGreaterThan(1);
    expect(corruptDone.status).toBe('failed');
    expect(corruptDone.error).toMatch(/PDF/);

    const deleted = await fetch(`${gateway.url}/v1/documents/${textDone.id}`, { method: 'DELETE', headers: { authorization: owner.authHeader } });
    expect(deleted.status).toBe(200);
    expect(await vectors.countDocument(space, owner.tenant.id, textDone.id)).toBe(0);
  });

  it('survives SIGKILL of the worker mid-document: the restarted worker resumes from the last committed batch', async () => {
    const document = await upload('long.md', Buffer.from(`# Long document\n\n${articleText(160, 9)}`));
    // Let a few batches commit, then kill the worker without any chance to clean up.
    const partial = await waitForDocument(document.id, (d) => d.progress.chunks_done >= 3 * BATCH || settled(d), 30_000);
    expect(partial.status).toBe('embedding');
    await worker?.stop('SIGKILL');
    const killedAt = new Date();
    const atKill = await prisma.document.findUniqueOrThrow({ where: { id: document.id } });
    expect(atKill.chunksDone).toBeGreaterThanOrEqual(3 * BATCH);
    expect(atKill.chunksDone).toBeLessThan(atKill.chunksTotal);
    expect(atKill.status).toBe(DocumentStatus.embedding);

    // The job is still "active" in Redis under the dead worker's lock: BullMQ hands it to the new
    // worker once the lock expires and a stalled-job check runs.
    worker = await startWorker();
    const done = await waitForDocument(document.id, settled, 60_000);
    expect(done).toMatchObject({ status: 'indexed', error: null });
    expect(done.progress).toEqual({ chunks_done: atKill.chunksTotal, chunks_total: atKill.chunksTotal });
    expect(await prisma.documentChunk.count({ where: { documentId: document.id } })).toBe(atKill.chunksTotal);
    expect(await vectors.countDocument(space, owner.tenant.id, document.id)).toBe(atKill.chunksTotal);

    // Not from zero: chunks committed before the kill kept their embedded_at; the new worker logged where it resumed.
    const early = await prisma.documentChunk.findMany({ where: { documentId: document.id, position: { lt: atKill.chunksDone } }, select: { embeddedAt: true } });
    expect(early).toHaveLength(atKill.chunksDone);
    expect(early.every((chunk) => chunk.embeddedAt !== null && chunk.embeddedAt <= killedAt)).toBe(true);
    const resumed = /"resumed_from":(\d+)/.exec(worker.output());
    expect(resumed).not.toBeNull();
    expect(Number(resumed?.[1])).toBeGreaterThanOrEqual(atKill.chunksDone);
    expect(Number(resumed?.[1])).toBeLessThan(atKill.chunksTotal);
  });
});
