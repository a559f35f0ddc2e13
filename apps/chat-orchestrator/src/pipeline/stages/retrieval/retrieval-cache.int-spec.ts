import { randomBytes, randomUUID } from 'node:crypto';
import { createPrismaClient, DocumentStatus, type PrismaClient } from '@conduit/db';
import { type EmbedOptions, type Embedder, HashingEmbedder } from '@conduit/embeddings';
import { Retriever } from '@conduit/retrieval';
import { chunkPointId, createVectorStore, type ManagedVectorStore, vectorSpaceFor } from '@conduit/vector-store';
import type { InternalSettings } from '../../../internal/internal.constants';
import { ResponseCache } from '../cache-lookup/response-cache';
import { removeTenantIds } from '@conduit/testing';

const databaseUrl = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** The hashing embedder, counting the texts it embeds (a cache hit embeds nothing). */
class CountingEmbedder implements Embedder {
  private readonly inner = new HashingEmbedder();
  readonly model = this.inner.model;
  readonly dimension = this.inner.dimension;
  calls = 0;
  embed(texts: string[], options?: EmbedOptions): Promise<number[][]> {
    this.calls += 1;
    return this.inner.embed(texts, options);
  }
}

describe('retrieval cache (real Postgres, pgvector, Redis)', () => {
  const embedder = new CountingEmbedder();
  const space = vectorSpaceFor(embedder.model, embedder.dimension);
  const settings = (url: string): InternalSettings => ({ responseCache: { url, prefix: `test-${randomUUID()}`, timeoutMs: 200 } }) as InternalSettings;
  let prisma: PrismaClient;
  let vectors: ManagedVectorStore;
  let retriever: Retriever;
  let responseCache: ResponseCache;
  const tenants: string[] = [];
  const points: { tenantId: string; id: string }[] = [];

  async function addDocument(tenantId: string, userId: string, collectionId: string, text: string): Promise<string> {
    const id = randomUUID();
    points.push({ tenantId, id });
    await prisma.document.create({
      data: { id, tenantId, userId, collectionId, filename: 'doc.txt', mediaType: 'text/plain', sizeBytes: text.length, sha256: '0'.repeat(64), blobKey: `x/${id}`, status: DocumentStatus.indexed },
    });
    const [vector] = await new HashingEmbedder().embed([text]);
    await vectors.upsert(space, [
      { id: chunkPointId(tenantId, id, 0), vector, payload: { tenant_id: tenantId, user_id: userId, document_id: id, collection: collectionId, chunk_index: 0, text, start_offset: 0, end_offset: text.length } },
    ]);
    return id;
  }

  async function seed(texts: string[], visibility: 'private' | 'tenant' = 'tenant', into?: string) {
    const tag = randomBytes(6).toString('hex');
    const tenantId = into ?? (await prisma.tenant.create({ data: { name: `RC ${tag}`, slug: `rcache-${tag}` } })).id;
    if (!into) tenants.push(tenantId);
    const user = await prisma.user.create({ data: { tenantId } });
    const collection = await prisma.collection.create({
      data: { tenantId, ownerUserId: user.id, visibility, scopeId: visibility === 'private' ? user.id : tenantId, name: 'kb', embeddingModel: embedder.model, embeddingDimension: embedder.dimension },
    });
    const ids: string[] = [];
    for (const text of texts) ids.push(await addDocument(tenantId, user.id, collection.id, text));
    return { tenantId, userId: user.id, collectionId: collection.id, ids };
  }

  const ask = (tenantId: string, userId: string, cache = responseCache.retrievalCache(60)) =>
    retriever.retrieve({ tenantId, userId, collection: 'kb', query: 'refund policy returns', topK: 5, ...(cache ? { cache } : {}) });

  /** Stores happen off the answer's path: wait for the entry before asking again. */
  async function untilStored(tenantId: string, userId: string): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      const before = embedder.calls;
      const result = await ask(tenantId, userId);
      if (result.cache === 'hit') return;
      expect(embedder.calls).toBe(before + 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the retrieval was never stored');
  }

  beforeAll(async () => {
    prisma = createPrismaClient(databaseUrl, 3);
    vectors = createVectorStore({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 2, efSearch: 100 });
    await vectors.ensureSpace(space);
    retriever = new Retriever(prisma, vectors, embedder);
    responseCache = new ResponseCache(settings(redisUrl));
  });

  afterAll(async () => {
    for (const p of points) await vectors?.deleteDocument(space, p.tenantId, p.id);
    if (prisma && tenants.length > 0) await removeTenantIds(prisma, tenants);
    await responseCache?.onApplicationShutdown();
    await prisma?.$disconnect();
    await vectors?.close();
  });

  it('answers the second identical lookup from the cache, without embedding or searching', async () => {
    const { tenantId, userId, ids } = await seed(['The refund policy allows returns within thirty days.', 'The office closes on public holidays.']);
    const first = await ask(tenantId, userId);
    expect(first.cache).toBe('miss');
    await untilStored(tenantId, userId);
    const calls = embedder.calls;
    const search = jest.spyOn(vectors, 'search');
    const hit = await ask(tenantId, userId);
    expect(hit.cache).toBe('hit');
    expect(embedder.calls).toBe(calls);
    expect(search).not.toHaveBeenCalled();
    search.mockRestore();
    expect(hit.embedding_usage).toEqual([]);
    expect(hit.chunks).toEqual(first.chunks);
    expect(hit.chunks.map((c) => c.document_id).sort()).toEqual([...ids].sort());
    // Another query, or another top_k, is another key.
    const cache = responseCache.retrievalCache(60);
    const other = await retriever.retrieve({ tenantId, userId, collection: 'kb', query: 'refund policy returns', topK: 1, ...(cache ? { cache } : {}) });
    expect(other.cache).toBe('miss');
  });

  it('misses after a document is indexed in, or deleted from, the collection', async () => {
    const { tenantId, userId, collectionId, ids } = await seed(['The refund policy allows returns within thirty days.']);
    await untilStored(tenantId, userId);
    const added = await addDocument(tenantId, userId, collectionId, 'Refund returns need the original receipt.');
    const afterAdd = await ask(tenantId, userId);
    expect(afterAdd.cache).toBe('miss');
    expect(afterAdd.chunks.map((c) => c.document_id).sort()).toEqual([...ids, added].sort());

    await untilStored(tenantId, userId);
    await prisma.document.delete({ where: { id: ids[0] as string } });
    const afterDelete = await ask(tenantId, userId);
    expect(afterDelete.cache).toBe('miss');
    expect(afterDelete.chunks.map((c) => c.document_id)).toEqual([added]);

    await untilStored(tenantId, userId);
    // A re-ingestion (a new attempt, back to queued) is a miss too.
    await prisma.document.update({ where: { id: added }, data: { status: DocumentStatus.queued, attempts: { increment: 1 } } });
    const afterStatus = await ask(tenantId, userId);
    expect(afterStatus.cache).toBe('miss');
    expect(afterStatus.chunks).toEqual([]);
  });

  it('bumps the collection\'s version when a user\'s erasure deletes their documents by cascade, not on progress updates', async () => {
    const { tenantId, userId, collectionId, ids } = await seed(['The refund policy allows returns within thirty days.']);
    const uploader = await prisma.user.create({ data: { tenantId } });
    const theirs = await addDocument(tenantId, uploader.id, collectionId, 'Refunds are paid within five days.');
    const version = async () => (await prisma.collection.findUniqueOrThrow({ where: { id: collectionId } })).contentVersion;
    const before = await version();
    await prisma.document.update({ where: { id: theirs }, data: { chunksDone: 3 } });
    expect(await version()).toBe(before);
    await untilStored(tenantId, userId);
    await prisma.user.delete({ where: { id: uploader.id } });
    expect(await version()).toBeGreaterThan(before);
    const after = await ask(tenantId, userId);
    expect(after.cache).toBe('miss');
    expect(after.chunks.map((c) => c.document_id)).toEqual(ids);
  });

  it('never serves one tenant\'s, or one user\'s private, cached chunks to another', async () => {
    const a = await seed(['Tenant A: the refund policy allows returns within thirty days.']);
    await untilStored(a.tenantId, a.userId);
    const b = await seed(['Tenant B: the refund policy allows returns within ten days.']);
    const forB = await ask(b.tenantId, b.userId);
    expect(forB.cache).toBe('miss');
    expect(forB.chunks.map((c) => c.document_id)).toEqual(b.ids);

    const owner = await seed(['Private: the refund policy allows returns within five days.'], 'private');
    await untilStored(owner.tenantId, owner.userId);
    const colleague = await seed(['Colleague: the refund policy allows returns within two days.'], 'private', owner.tenantId);
    const forColleague = await ask(owner.tenantId, colleague.userId);
    expect(forColleague.cache).toBe('miss');
    expect(forColleague.chunks.map((c) => c.document_id)).toEqual(colleague.ids);
    const stranger = await prisma.user.create({ data: { tenantId: owner.tenantId } });
    await expect(ask(owner.tenantId, stranger.id)).rejects.toMatchObject({ code: 'collection_not_found' });
  });

  it('goes on without the cache when its Redis is down', async () => {
    const down = new ResponseCache(settings('redis://127.0.0.1:1'));
    try {
      const { tenantId, userId, ids } = await seed(['The refund policy allows returns within thirty days.']);
      const calls = embedder.calls;
      const result = await ask(tenantId, userId, down.retrievalCache(60));
      expect(result.cache).toBe('bypass');
      expect(result.chunks.map((c) => c.document_id)).toEqual(ids);
      expect(embedder.calls).toBe(calls + 1);
    } finally {
      await down.onApplicationShutdown();
    }
  });
});
