import { randomBytes, randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createPrismaClient, DbModule, DocumentStatus, type PrismaClient } from '@conduit/db';
import { HashingEmbedder } from '@conduit/embeddings';
import { chunkPointId, createVectorStore, vectorSpaceFor, VectorStoreModule, type ManagedVectorStore } from '@conduit/vector-store';
import { RETRIEVAL_EMBEDDER } from './retrieval.constants';
import { RetrievalModule } from './retrieval.module';
import { buildGroundedPrompt } from './grounded-prompt';
import { RetrievalErrorCode } from './retrieval.exception';
import { Retriever } from './retriever';
import { removeTenantIds } from '@conduit/testing';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';

const PASSAGES = [
  'The refund policy allows returns within thirty days of purchase with a receipt.',
  'Our office is closed on public holidays and reopens the next business day.',
  'Passwords must be rotated every ninety days and never shared by email.',
  'The cafeteria serves vegetarian lunch options every weekday at noon.',
];

describe('Retriever (real Postgres, pgvector, hashing embedder)', () => {
  const embedder = new HashingEmbedder();
  const space = vectorSpaceFor(embedder.model, embedder.dimension);
  let prisma: PrismaClient;
  let vectors: ManagedVectorStore;
  let retriever: Retriever;
  const tenants: string[] = [];
  const documents: { tenantId: string; id: string }[] = [];

  /**
   * A tenant (or, with `into`, another user of an existing tenant) with a collection holding one
   * document per passage (status given), embedded for real: private to the user unless `visibility`.
   */
  async function seed(
    status: DocumentStatus = DocumentStatus.indexed,
    passages = PASSAGES,
    collectionName = 'kb',
    options: { into?: { id: string }; visibility?: 'private' | 'tenant' } = {},
  ) {
    const tag = randomBytes(6).toString('hex');
    const tenant = options.into ?? (await prisma.tenant.create({ data: { name: `R ${tag}`, slug: `retr-${tag}` } }));
    if (!options.into) tenants.push(tenant.id);
    const user = await prisma.user.create({ data: { tenantId: tenant.id } });
    const visibility = options.visibility ?? 'private';
    const collection = await prisma.collection.create({
      data: {
        tenantId: tenant.id,
        ownerUserId: user.id,
        visibility,
        scopeId: visibility === 'private' ? user.id : tenant.id,
        name: collectionName,
        embeddingModel: embedder.model,
        embeddingDimension: embedder.dimension,
      },
    });
    const ids: string[] = [];
    const embedded = await embedder.embed(passages);
    for (const [n, text] of passages.entries()) {
      const id = randomUUID();
      ids.push(id);
      documents.push({ tenantId: tenant.id, id });
      await prisma.document.create({
        data: { id, tenantId: tenant.id, userId: user.id, collectionId: collection.id, filename: `doc-${n}.txt`, mediaType: 'text/plain', sizeBytes: text.length, sha256: '0'.repeat(64), blobKey: `x/${id}`, status },
      });
      await vectors.upsert(space, [
        {
          id: chunkPointId(tenant.id, id, 0),
          vector: embedded[n],
          payload: { tenant_id: tenant.id, user_id: user.id, document_id: id, collection: collection.id, chunk_index: 0, text, start_offset: 0, end_offset: text.length },
        },
      ]);
    }
    return { tenant, user, collection, ids };
  }

  beforeAll(async () => {
    prisma = createPrismaClient(databaseUrl, 3);
    vectors = createVectorStore({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 2, efSearch: 100 });
    await vectors.ensureSpace(space);
    retriever = new Retriever(prisma, vectors, embedder);
  });

  afterAll(async () => {
    for (const d of documents) await vectors?.deleteDocument(space, d.tenantId, d.id);
    if (prisma && tenants.length > 0) await removeTenantIds(prisma, tenants);
    await prisma?.$disconnect();
    await vectors?.close();
  });

  it('returns the closest chunks of the collection, best first, with file names and timing', async () => {
    const { tenant, user, ids } = await seed();
    const result = await retriever.retrieve({ tenantId: tenant.id, userId: user.id, collection: 'kb', query: 'How many days do I have to return a purchase for a refund?', topK: 2 });
    expect(result.chunks).toHaveLength(2);
    expect(result.chunks[0]).toEqual({
      document_id: ids[0],
      chunk_index: 0,
      text: PASSAGES[0],
      score: expect.any(Number),
      filename: 'doc-0.txt',
      start_offset: 0,
      end_offset: PASSAGES[0].length,
    });
    expect(result.chunks[0].score).toBeGreaterThan(result.chunks[1].score);
    expect(result.latency_ms).toBeGreaterThan(0);
    const prompt = buildGroundedPrompt(result.chunks);
    expect(prompt.content).toContain(`[1] (doc-0.txt, part 1)\n${PASSAGES[0]}`);
  });

  it('never returns another tenant\'s chunks, even for the same collection name and text', async () => {
    const mine = await seed(DocumentStatus.indexed, ['Only my tenant knows the launch code word zebra.']);
    const theirs = await seed(DocumentStatus.indexed, ['Only the other tenant knows the launch code word zebra.']);
    const result = await retriever.retrieve({ tenantId: mine.tenant.id, userId: mine.user.id, collection: 'kb', query: 'launch code word zebra', topK: 10 });
    expect(result.chunks.map((c) => c.document_id)).toEqual(mine.ids);
    expect(result.chunks.map((c) => c.document_id)).not.toContain(theirs.ids[0]);
  });

  it('gives another user of the same tenant nothing from a private collection: not the collection, not its chunks', async () => {
    const owner = await seed(DocumentStatus.indexed, ['Only the owner knows the vault phrase marmalade.'], 'private-kb');
    const colleague = await prisma.user.create({ data: { tenantId: owner.tenant.id } });
    const ask = (userId: string) => retriever.retrieve({ tenantId: owner.tenant.id, userId, collection: 'private-kb', query: 'vault phrase marmalade', topK: 10 });
    expect((await ask(owner.user.id)).chunks.map((c) => c.document_id)).toEqual(owner.ids);
    await expect(ask(colleague.id)).rejects.toMatchObject({ code: RetrievalErrorCode.CollectionNotFound });
    // The colleague's own collection of that name holds only their documents.
    const theirs = await seed(DocumentStatus.indexed, ['The colleague writes about marmalade too, vault phrase and all.'], 'private-kb', { into: owner.tenant });
    const seen = await retriever.retrieve({ tenantId: owner.tenant.id, userId: theirs.user.id, collection: 'private-kb', query: 'vault phrase marmalade', topK: 10 });
    expect(seen.chunks.map((c) => c.document_id)).toEqual(theirs.ids);
  });

  it('filters a private collection by uploader in the vector store too, not only in Postgres', async () => {
    const owner = await seed(DocumentStatus.indexed, ['The owner’s note on the quarterly llama census.'], 'filtered');
    // A point of another user slipped into the owner's private collection (say, written before ownership existed):
    const intruder = await prisma.user.create({ data: { tenantId: owner.tenant.id } });
    const text = 'An intruder’s note on the quarterly llama census.';
    const [vector] = await embedder.embed([text]);
    const id = randomUUID();
    documents.push({ tenantId: owner.tenant.id, id });
    await prisma.document.create({
      data: { id, tenantId: owner.tenant.id, userId: intruder.id, collectionId: owner.collection.id, filename: 'x.txt', mediaType: 'text/plain', sizeBytes: 1, sha256: '0'.repeat(64), blobKey: `x/${id}`, status: 'indexed' },
    });
    await vectors.upsert(space, [
      { id: chunkPointId(owner.tenant.id, id, 0), vector, payload: { tenant_id: owner.tenant.id, user_id: intruder.id, document_id: id, collection: owner.collection.id, chunk_index: 0, text, start_offset: 0, end_offset: text.length } },
    ]);
    const hits = await vectors.search(space, vector, { tenantId: owner.tenant.id, userId: owner.user.id, collection: owner.collection.id, limit: 10 });
    expect(hits.map((h) => h.payload.document_id)).toEqual(owner.ids);
    const result = await retriever.retrieve({ tenantId: owner.tenant.id, userId: owner.user.id, collection: 'filtered', query: 'quarterly llama census', topK: 10 });
    expect(result.chunks.map((c) => c.document_id)).toEqual(owner.ids);
  });

  it('serves a tenant-shared collection to every user of the tenant and to no one outside it', async () => {
    const shared = await seed(DocumentStatus.indexed, ['The shared handbook says lunch is at noon.'], 'handbook', { visibility: 'tenant' });
    const colleague = await prisma.user.create({ data: { tenantId: shared.tenant.id } });
    const outside = await seed(DocumentStatus.indexed, ['Another tenant entirely.'], 'other');
    for (const userId of [shared.user.id, colleague.id]) {
      const result = await retriever.retrieve({ tenantId: shared.tenant.id, userId, collection: 'handbook', query: 'when is lunch', topK: 5 });
      expect(result.chunks.map((c) => c.document_id)).toEqual(shared.ids);
    }
    await expect(
      retriever.retrieve({ tenantId: outside.tenant.id, userId: outside.user.id, collection: 'handbook', query: 'when is lunch' }),
    ).rejects.toMatchObject({ code: RetrievalErrorCode.CollectionNotFound });
  });

  it('drops chunks of documents that are not indexed, and applies the score threshold', async () => {
    const { tenant, user } = await seed(DocumentStatus.embedding);
    expect((await retriever.retrieve({ tenantId: tenant.id, userId: user.id, collection: 'kb', query: 'refund policy' })).chunks).toEqual([]);
    const indexed = await seed();
    const all = await retriever.retrieve({ tenantId: indexed.tenant.id, userId: indexed.user.id, collection: 'kb', query: 'refund policy returns', topK: 4 });
    expect(all.chunks).toHaveLength(4);
    const strict = await retriever.retrieve({ tenantId: indexed.tenant.id, userId: indexed.user.id, collection: 'kb', query: 'refund policy returns', topK: 4, scoreThreshold: all.chunks[0].score - 1e-6 });
    expect(strict.chunks.map((c) => c.document_id)).toEqual([all.chunks[0].document_id]);
  });

  it('refuses unknown collections, other embedding models and bad arguments', async () => {
    const { tenant, user } = await seed();
    await expect(retriever.retrieve({ tenantId: tenant.id, userId: user.id, collection: 'nope', query: 'x' })).rejects.toMatchObject({ code: RetrievalErrorCode.CollectionNotFound });
    const other = new Retriever(prisma, vectors, new HashingEmbedder({ dimension: 256 }));
    await expect(other.retrieve({ tenantId: tenant.id, userId: user.id, collection: 'kb', query: 'x' })).rejects.toMatchObject({ code: RetrievalErrorCode.EmbeddingModelMismatch });
    await expect(retriever.retrieve({ tenantId: tenant.id, userId: user.id, collection: 'kb', query: '  ' })).rejects.toMatchObject({ code: RetrievalErrorCode.InvalidRetrievalRequest });
    await expect(retriever.retrieve({ tenantId: tenant.id, userId: user.id, collection: 'kb', query: 'x', topK: 0 })).rejects.toMatchObject({ code: RetrievalErrorCode.InvalidRetrievalRequest });
  });
});

describe('RetrievalModule', () => {
  it('provides a Retriever wired to Prisma, the vector store and the configured embedder', async () => {
    @Module({
      imports: [
        DbModule.forRoot({ url: databaseUrl, poolSize: 2 }),
        VectorStoreModule.forRoot({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 1, efSearch: 100 }),
        RetrievalModule.forRoot({ embeddings: { provider: 'hashing', model: 'hashing-v2', dimension: 384, batchSize: 16 } }),
      ],
    })
    class RetrievalTestModule {}
    const app = await NestFactory.createApplicationContext(RetrievalTestModule, { logger: false, abortOnError: false });
    try {
      expect(app.get(RETRIEVAL_EMBEDDER)).toMatchObject({ model: 'hashing-v2', dimension: 384 });
      await expect(app.get(Retriever).retrieve({ tenantId: randomUUID(), userId: randomUUID(), collection: 'none', query: 'x' })).rejects.toMatchObject({
        code: RetrievalErrorCode.CollectionNotFound,
      });
    } finally {
      await app.close();
    }
  });
});
