import { randomBytes } from 'node:crypto';
import { HASHING_SPACE as space, IngestionFixture, openIngestionFixture } from './support/ingestion-fixture';
import { RunningService, startReady } from './support/service-process';

interface DocumentObject {
  id: string;
  status: string;
  error: string | null;
  progress: { chunks_done: number; chunks_total: number };
}

interface Probe {
  status: number | 'no answer';
  ms: number;
}

/** How long one /health probe may take before it counts as unanswered. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Hostile documents through the real services with their default limits (issue 12): the gateway
 * and the ingestion worker as processes, uploads over HTTP, the worker's /health probed throughout.
 */
describe('ingestion limits: hostile documents, gateway and worker as processes', () => {
  const prefix = `e2e-ingest-limits-${randomBytes(4).toString('hex')}`;
  let fixture: IngestionFixture;
  let gateway: RunningService;
  let worker: RunningService;

  const shared = () => ({ BLOB_DIR: fixture.blobDir, QUEUE_PREFIX: prefix, VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing' });

  async function upload(filename: string, bytes: Buffer): Promise<DocumentObject> {
    const form = new FormData();
    form.append('collection', 'hostile');
    form.append('file', new Blob([bytes]), filename);
    const response = await fetch(`${gateway.url}/v1/documents`, { method: 'POST', headers: { authorization: fixture.owner.authHeader }, body: form });
    expect(response.status).toBe(202);
    return (await response.json()) as DocumentObject;
  }

  async function settled(id: string, timeoutMs: number): Promise<DocumentObject> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await fetch(`${gateway.url}/v1/documents/${id}`, { headers: { authorization: fixture.owner.authHeader } });
      const document = (await response.json()) as DocumentObject;
      if (document.status === 'indexed' || document.status === 'failed') return document;
      if (Date.now() > deadline) throw new Error(`document ${id} still ${JSON.stringify(document)} after ${timeoutMs} ms\n${worker.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Probes the worker's /health one request after another until stopped; every probe is recorded. */
  function probeHealth(): { stop: () => Promise<Probe[]> } {
    const probes: Probe[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const started = performance.now();
        const status = await fetch(`${worker.url}/health`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
          (response) => response.status,
          () => 'no answer' as const,
        );
        probes.push({ status, ms: Math.round(performance.now() - started) });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return probes;
      },
    };
  }

  beforeAll(async () => {
    fixture = await openIngestionFixture();
    // Default limits, deadline and upload size: only where files and vectors go is set.
    [gateway, worker] = await Promise.all([startReady('api-gateway', shared()), startReady('ingestion-worker', shared())]);
  });

  afterAll(async () => {
    await fixture?.close([gateway, worker]);
  });

  it('finding 1 (issue 12): a 20 MiB upload that is one word is chunked and indexed in linear time (minutes at most, where the quadratic chunker needed days), and the worker answers /health throughout', async () => {
    const health = probeHealth();
    const started = Date.now();
    const document = await upload('one-word.txt', Buffer.alloc(20 * 1024 * 1024, 'a'));
    // A deadline for the wait, not a pause: the test ends as soon as the document does. About 10 s
    // on a quiet machine; the deadline leaves room for a loaded one (quadratic chunking of 20 MiB
    // would take days: 256 KB took 124 s).
    const done = await settled(document.id, 150_000 - (Date.now() - started));
    const probes = await health.stop();

    expect(done).toMatchObject({ status: 'indexed', error: null });
    expect(done.progress.chunks_total).toBeGreaterThan(1_000);
    expect(done.progress.chunks_done).toBe(done.progress.chunks_total);
    expect(await fixture.vectors.countDocument(space, fixture.owner.tenant.id, done.id)).toBe(done.progress.chunks_total);
    // Every probe answered 200 within its timeout, all the way through.
    expect(probes.length).toBeGreaterThan(10);
    expect(probes.filter((probe) => probe.status !== 200)).toEqual([]);
  });

  it('finding 1 (issue 12): the 256 KB reproduction is indexed, and a document over a ceiling fails with its code while the worker stays healthy', async () => {
    const health = probeHealth();
    const repro = await upload('l.txt', Buffer.alloc(262_144, 'a'));
    const nested = await upload('nested.html', Buffer.from(`<!doctype html><html><body>${'<div>'.repeat(100_000)}deep${'</div>'.repeat(100_000)}</body></html>`));
    const [reproDone, nestedDone] = [await settled(repro.id, 30_000), await settled(nested.id, 30_000)];
    const probes = await health.stop();

    expect(reproDone).toMatchObject({ status: 'indexed', error: null });
    expect(nestedDone).toMatchObject({ status: 'failed', error: 'document_too_complex: the HTML nests elements more than 512 deep (MAX_HTML_DEPTH)' });
    expect(probes.filter((probe) => probe.status !== 200)).toEqual([]);
  });
});
