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

  /** A tenant with a collection holding one document per passage (status given), embedded for real. */
  async function seed(status: DocumentStatus = DocumentStatus.indexed, passages = PASSAGES, collectionName = 'kb') {
    const tag = randomBytes(6).toString('hex');
    const tenant = await prisma.tenant.create({ data: { name: `R ${tag}`, slug: `retr-${tag}` } });
    tenants.push(tenant.id);
    const user = await prisma.user.create({ data: { tenantId: tenant.id } });
    const collection = await prisma.collection.create({
      data: { tenantId: tenant.id, name: collectionName, embeddingModel: embedder.model, embeddingDimension: embedder.dimension },
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
          payload: { tenant_id: tenant.id, document_id: id, collection: collection.id, chunk_index: 0, text, start_offset: 0, end_offset: text.length },
        },
      ]);
    }
    return { tenant, collection, ids };
  }

  beforeAll(async () => {
    prisma = createPrismaClient(databaseUrl, 3);
    vectors = createVectorStore({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 2, efSearch: 100 });
    await vectors.ensureSpace(space);
    retriever = new Retriever(prisma, vectors, embedder);
  });

  afterAll(async () => {
    for (const d of documents) await vectors?.deleteDocument(space, d.tenantId, d.id);
    if (tenants.length > 0) await prisma?.tenant.deleteMany({ where: { id: { in: tenants } } });
    await prisma?.$disconnect();
    await vectors?.close();
  });

  it('returns the closest chunks of the collection, best first, with file names and timing', async () => {
    const { tenant, ids } = await seed();
    const result = await retriever.retrieve({ tenantId: tenant.id, collection: 'kb', query: 'How many days do I have to return a purchase for a refund?', topK: 2 });
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
    const result = await retriever.retrieve({ tenantId: mine.tenant.id, collection: 'kb', query: 'launch code word zebra', topK: 10 });
    expect(result.chunks.map((c) => c.document_id)).toEqual(mine.ids);
    expect(result.chunks.map((c) => c.document_id)).not.toContain(theirs.ids[0]);
  });

  it('drops chunks of documents that are not indexed, and applies the score threshold', async () => {
    const { tenant } = await seed(DocumentStatus.embedding);
    expect((await retriever.retrieve({ tenantId: tenant.id, collection: 'kb', query: 'refund policy' })).chunks).toEqual([]);
    const indexed = await seed();
    const all = await retriever.retrieve({ tenantId: indexed.tenant.id, collection: 'kb', query: 'refund policy returns', topK: 4 });
    expect(all.chunks).toHaveLength(4);
    const strict = await retriever.retrieve({ tenantId: indexed.tenant.id, collection: 'kb', query: 'refund policy returns', topK: 4, scoreThreshold: all.chunks[0].score - 1e-6 });
    expect(strict.chunks.map((c) => c.document_id)).toEqual([all.chunks[0].document_id]);
  });

  it('refuses unknown collections, other embedding models and bad arguments', async () => {
    const { tenant } = await seed();
    await expect(retriever.retrieve({ tenantId: tenant.id, collection: 'nope', query: 'x' })).rejects.toMatchObject({ code: RetrievalErrorCode.CollectionNotFound });
    const other = new Retriever(prisma, vectors, new HashingEmbedder({ dimension: 256 }));
    await expect(other.retrieve({ tenantId: tenant.id, collection: 'kb', query: 'x' })).rejects.toMatchObject({ code: RetrievalErrorCode.EmbeddingModelMismatch });
    await expect(retriever.retrieve({ tenantId: tenant.id, collection: 'kb', query: '  ' })).rejects.toMatchObject({ code: RetrievalErrorCode.InvalidRetrievalRequest });
    await expect(retriever.retrieve({ tenantId: tenant.id, collection: 'kb', query: 'x', topK: 0 })).rejects.toMatchObject({ code: RetrievalErrorCode.InvalidRetrievalRequest });
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
      await expect(app.get(Retriever).retrieve({ tenantId: randomUUID(), collection: 'none', query: 'x' })).rejects.toMatchObject({
        code: RetrievalErrorCode.CollectionNotFound,
      });
    } finally {
      await app.close();
    }
  });
});
