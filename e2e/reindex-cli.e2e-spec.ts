import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@conduit/db';
import { type ManagedVectorStore, vectorSpaceFor } from '@conduit/vector-store';
import { articleText, type TenantWithUser, waitFor } from '@conduit/testing';
import { IngestionFixture, openIngestionFixture } from './support/ingestion-fixture';
import { baseEnv, ROOT, RunningService, startReady } from './support/service-process';

/**
 * `npm run admin -- reindex --tenant SLUG` (the built CLI) against the gateway and the ingestion
 * worker as processes: the tenant's vectors are lost (deleted from a pgvector space of its own —
 * 176 dimensions — so that the identical chunks other suites index into the shared 384-dimension
 * space, in other tenants, cannot crowd this tenant's out of an approximate search), the
 * CLI hands its documents back to the worker, prints progress and a JSON report, and the same
 * searches answer the same. A second run finds nothing to do.
 */
describe('admin reindex: rebuilding lost vectors with the CLI', () => {
  const prefix = `e2e-reindex-${randomBytes(4).toString('hex')}`;
  const DIMENSION = '176';
  const space = vectorSpaceFor('hashing-v2', Number(DIMENSION));
  let fixture: IngestionFixture;
  let prisma: PrismaClient;
  let vectors: ManagedVectorStore;
  let gateway: RunningService;
  let worker: RunningService;
  let owner: TenantWithUser;
  const shared = () => ({ BLOB_DIR: fixture.blobDir, QUEUE_PREFIX: prefix, VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing', EMBEDDINGS_DIMENSION: DIMENSION });

  const admin = (...args: string[]) =>
    spawnSync('node', ['dist/apps/api-gateway/src/cli/admin.js', ...args], { cwd: ROOT, env: { ...baseEnv(), QUEUE_PREFIX: prefix, VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing', EMBEDDINGS_DIMENSION: DIMENSION }, encoding: 'utf8', timeout: 120_000 });

  /** The query: the stored vector of one of the tenant's chunks (taken before the loss). */
  let query: number[];
  async function answers(): Promise<unknown[]> {
    const hits = await vectors.search(space, query, { tenantId: owner.tenant.id, limit: 8 });
    return hits.map((hit) => ({ id: hit.id, text: hit.payload.text, score: hit.score.toFixed(6) }));
  }

  beforeAll(async () => {
    fixture = await openIngestionFixture();
    ({ prisma, vectors, owner } = fixture);
    [gateway, worker] = await Promise.all([
      startReady('api-gateway', shared()),
      startReady('ingestion-worker', { ...shared(), CHUNK_TOKENS: '64', CHUNK_OVERLAP_TOKENS: '8', EMBEDDINGS_BATCH_SIZE: '8' }),
    ]);
  });

  afterAll(async () => {
    await vectors?.dropSpace(space).catch(() => undefined);
    await fixture?.close([gateway, worker]);
  });

  it('rebuilds the tenant\'s lost vectors through the worker, with progress, and retrieval answers the same', async () => {
    for (let n = 0; n < 3; n += 1) {
      const form = new FormData();
      form.append('collection', 'kb');
      form.append('file', new Blob([Buffer.from(articleText(10 + n * 3, n + 21))]), `doc-${n}.txt`);
      const response = await fetch(`${gateway.url}/v1/documents`, { method: 'POST', headers: { authorization: owner.authHeader }, body: form });
      expect(response.status).toBe(202);
    }
    await waitFor(() => prisma.document.findMany({ where: { tenantId: owner.tenant.id } }), {
      what: 'three documents indexed',
      until: (rows) => rows.length === 3 && rows.every((row) => row.status === 'indexed'),
      timeoutMs: 60_000,
    });
    const [stored] = await prisma.$queryRawUnsafe<{ embedding: string }[]>(
      `SELECT embedding::text AS embedding FROM "vector_space_${space.name}" WHERE tenant_id = $1::uuid ORDER BY id LIMIT 1`,
      owner.tenant.id,
    );
    query = JSON.parse(stored.embedding) as number[];
    const before = await answers();
    expect(before.length).toBeGreaterThan(0);
    const chunks = await prisma.documentChunk.count({ where: { tenantId: owner.tenant.id } });

    // The tenant's vectors are lost.
    await prisma.$executeRawUnsafe(`DELETE FROM "vector_space_${space.name}" WHERE tenant_id = $1::uuid`, owner.tenant.id);
    expect(await answers()).toEqual([]);

    const run = admin('reindex', '--tenant', owner.tenant.slug, '--parallel', '2');
    expect(run.stderr).toContain('reindex: 3/3 documents');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) as string)).toMatchObject({
      documents_total: 3,
      documents_done: 3,
      documents_failed: 0,
      chunks_total: chunks,
      chunks_done: chunks,
      skipped_complete: 0,
      failures: [],
    });
    expect(await answers()).toEqual(before);

    const again = admin('reindex', '--tenant', owner.tenant.slug);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ documents_total: 0, skipped_complete: 3 });
  });
});
