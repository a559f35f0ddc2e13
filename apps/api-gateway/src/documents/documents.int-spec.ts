import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BLOB_STORE, BlobNotFoundError, BlobStoreModule, type BlobStore } from '@conduit/blob-store';
import { documentIngestJobId } from '@conduit/contracts';
import { DocumentStatus, PrismaService } from '@conduit/db';
import { JobProducer } from '@conduit/queue';
import { chunkPointId, createVectorStore, vectorSpaceFor, VectorStoreModule, type ManagedVectorStore } from '@conduit/vector-store';
import { ApiErrorBody, expectApiError } from '../testing/api-error.assertion';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser, UserWithKey } from '@conduit/testing';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import type { ListPage } from '../sessions/list-page';
import type { CollectionObject } from './collections.dto';
import type { DocumentObject } from './documents.dto';
import { DocumentsModule } from './documents.module';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const MAX_UPLOAD = 64 * 1024;
const space = vectorSpaceFor('hashing-v2', 384);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');

interface FilePart {
  field?: string;
  filename: string;
  bytes: Buffer;
  /** What the client claims; the gateway ignores it. */
  type?: string;
}

/** A multipart/form-data body as a browser or `curl -F` would send it. */
async function multipart(fields: Record<string, string>, files: FilePart[]): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append(file.field ?? 'file', new Blob([file.bytes], { type: file.type ?? 'text/plain' }), file.filename);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type') ?? '' } };
}

describe('documents API', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let blobs: BlobStore;
  let producer: JobProducer;
  let vectors: ManagedVectorStore;
  let blobDir: string;
  let alice: TenantWithUser;
  const tenants: { id: string }[] = [];

  const newTenant = async () => {
    const owner = await createTenantWithUser(prisma);
    tenants.push(owner.tenant);
    return owner;
  };

  const upload = async (auth: string | undefined, fields: Record<string, string>, files: FilePart[], extraHeaders: Record<string, string> = {}) => {
    const body = await multipart(fields, files);
    return app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...body.headers, ...(auth ? { authorization: auth } : {}), ...extraHeaders },
      payload: body.payload,
    });
  };
  const uploadText = (who: UserWithKey, text: string, collection = 'handbook', filename = 'notes.txt') =>
    upload(who.authHeader, { collection }, [{ filename, bytes: Buffer.from(text) }]);
  const call = (method: 'GET' | 'DELETE' | 'POST', url: string, auth: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: auth }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    blobDir = await mkdtemp(path.join(tmpdir(), 'conduit-docs-'));
    const vectorConfig = { kind: 'pgvector' as const, connectionString: databaseUrl, poolSize: 2, efSearch: 100 };
    app = await createGatewayTestApp([
      BlobStoreModule.forRoot({ kind: 'filesystem', dir: blobDir }),
      VectorStoreModule.forRoot(vectorConfig),
      DocumentsModule.register({ maxUploadBytes: MAX_UPLOAD, embedding: { model: 'hashing-v2', dimension: 384 } }),
    ]);
    prisma = app.get(PrismaService);
    blobs = app.get(BLOB_STORE);
    producer = app.get(JobProducer);
    vectors = createVectorStore(vectorConfig);
    await vectors.ensureSpace(space);
    alice = await newTenant();
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await vectors?.close();
    await app?.close();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  describe('upload', () => {
    it('stores the file, records the document and enqueues its ingestion, answering 202 queued', async () => {
      const text = 'Plain notes about the quarterly plan.\nSecond line.';
      const res = await uploadText(alice, text, 'handbook', '../../etc/Q3 plan.txt');
      expect(res.statusCode).toBe(202);
      const body = res.json<DocumentObject>();
      expect(body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        object: 'document',
        collection: 'handbook',
        filename: 'Q3 plan.txt',
        media_type: 'text/plain',
        size_bytes: Buffer.byteLength(text),
        sha256: createHash('sha256').update(text).digest('hex'),
        status: 'queued',
        error: null,
        progress: { chunks_done: 0, chunks_total: 0 },
        attempts: 1,
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
        indexed_at: null,
      });
      const row = await prisma.document.findUniqueOrThrow({ where: { id: body.id }, include: { collection: true } });
      expect(row).toMatchObject({ tenantId: alice.tenant.id, userId: alice.user.id, status: DocumentStatus.queued });
      expect(row.collection).toMatchObject({ tenantId: alice.tenant.id, name: 'handbook', embeddingModel: 'hashing-v2', embeddingDimension: 384 });
      expect((await blobs.get(row.blobKey)).toString()).toBe(text);
      const job = await producer.queue('ingestion').getJob(documentIngestJobId(body.id, 1));
      expect(job?.name).toBe('document.ingest');
      expect(job?.data).toEqual({ document_id: body.id, tenant_id: alice.tenant.id, attempt: 1 });
    });

    it('detects the type from the content, whatever the name or the declared type say', async () => {
      const cases: [FilePart, string][] = [
        [{ filename: 'page.txt', bytes: Buffer.from('<!doctype html><html><body><p>Hi</p></body></html>') }, 'text/html'],
        [{ filename: 'scan.txt', bytes: PDF, type: 'text/plain' }, 'application/pdf'],
        [{ filename: 'readme', bytes: Buffer.from('# Readme\n\nHello.'), type: 'application/octet-stream' }, 'text/markdown'],
        [{ filename: 'data.pdf', bytes: Buffer.from('just words'), type: 'application/pdf' }, 'text/plain'],
      ];
      for (const [file, mediaType] of cases) {
        const res = await upload(alice.authHeader, { collection: 'types' }, [file]);
        expect({ name: file.filename, status: res.statusCode, media_type: res.json<DocumentObject>().media_type }).toEqual({ name: file.filename, status: 202, media_type: mediaType });
      }
    });

    it('accepts the collection field after the file', async () => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('file first')]), 'a.txt');
      form.append('collection', 'late-field');
      const request = new Request('http://localhost/', { method: 'POST', body: form });
      const res = await app.inject({
        method: 'POST',
        url: '/v1/documents',
        headers: { authorization: alice.authHeader, 'content-type': request.headers.get('content-type') ?? '' },
        payload: Buffer.from(await request.arrayBuffer()),
      });
      expect(res.statusCode).toBe(202);
      expect(res.json<DocumentObject>().collection).toBe('late-field');
    });

    it('refuses empty, oversized, binary and malformed uploads without storing anything', async () => {
      const before = await prisma.document.count({ where: { tenantId: alice.tenant.id } });
      const blobsBefore = (await readdir(blobDir, { recursive: true })).length;
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 1)]);
      const noise = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 37 + 11) % 256));

      expectApiError(await uploadText(alice, ''), 400, 'empty_file', 'file');
      expectApiError(await upload(alice.authHeader, { collection: 'c' }, [{ filename: 'big.txt', bytes: Buffer.alloc(MAX_UPLOAD + 1, 0x61) }]), 413, 'file_too_large', 'file');
      // Declared far over the limit: refused before the body is read.
      expectApiError(
        await upload(alice.authHeader, { collection: 'c' }, [{ filename: 'a.txt', bytes: Buffer.from('x') }], { 'content-length': String(MAX_UPLOAD * 4) }),
        413,
        'file_too_large',
      );
      const disguised = expectApiError(await upload(alice.authHeader, { collection: 'c' }, [{ filename: 'notes.txt', bytes: png, type: 'text/plain' }]), 415, 'unsupported_media_type', 'file');
      expect(disguised.error.message).toMatch(/PNG image/);
      expectApiError(await upload(alice.authHeader, { collection: 'c' }, [{ filename: 'random.txt', bytes: noise }]), 415, 'unsupported_media_type');
      expectApiError(await upload(alice.authHeader, { collection: 'c' }, [{ filename: 'nul.md', bytes: Buffer.from('# hi\u0000there') }]), 415, 'unsupported_media_type');

      expectApiError(await upload(alice.authHeader, {}, [{ filename: 'a.txt', bytes: Buffer.from('x') }]), 400, 'invalid_request', 'collection');
      expectApiError(await upload(alice.authHeader, { collection: '../etc' }, [{ filename: 'a.txt', bytes: Buffer.from('x') }]), 400, 'invalid_request', 'collection');
      expectApiError(await upload(alice.authHeader, { collection: 'c', extra: '1' }, [{ filename: 'a.txt', bytes: Buffer.from('x') }]), 400, 'invalid_request');
      expectApiError(await upload(alice.authHeader, { collection: 'c' }, []), 400, 'invalid_upload', 'file');
      expectApiError(await upload(alice.authHeader, { collection: 'c' }, [{ field: 'document', filename: 'a.txt', bytes: Buffer.from('x') }]), 400, 'invalid_upload', 'document');
      expectApiError(
        await upload(alice.authHeader, { collection: 'c' }, [
          { filename: 'a.txt', bytes: Buffer.from('x') },
          { filename: 'b.txt', bytes: Buffer.from('y') },
        ]),
        400,
        'invalid_upload',
        'file',
      );
      const json = await app.inject({ method: 'POST', url: '/v1/documents', headers: { authorization: alice.authHeader }, payload: { collection: 'c' } });
      expectApiError(json, 400, 'multipart_required');

      expect(await prisma.document.count({ where: { tenantId: alice.tenant.id } })).toBe(before);
      expect((await readdir(blobDir, { recursive: true })).length).toBe(blobsBefore);
    });

    it('finding 4 (issue 12): answers 400 invalid_upload, never 500, for a multipart body without a boundary or without its closing delimiter', async () => {
      const before = await prisma.document.count({ where: { tenantId: alice.tenant.id } });
      const raw = (contentType: string, payload: string | Buffer) =>
        app.inject({ method: 'POST', url: '/v1/documents', headers: { authorization: alice.authHeader, 'content-type': contentType }, payload });
      const complete = await multipart({ collection: 'c' }, [{ filename: 'a.txt', bytes: Buffer.from('hello') }]);
      const boundary = /boundary=(.+)$/.exec(complete.headers['content-type'])?.[1] ?? '';
      const body = complete.payload.toString('latin1');
      const unterminated = body.slice(0, body.lastIndexOf(`--${boundary}--`));
      const cases: [string, string, string | Buffer][] = [
        ['no boundary parameter', 'multipart/form-data', complete.payload],
        ['an empty boundary', 'multipart/form-data; boundary=', complete.payload],
        ['a boundary the body does not use', 'multipart/form-data; boundary=other', complete.payload],
        ['no closing delimiter', complete.headers['content-type'], Buffer.from(unterminated, 'latin1')],
        ['a body cut inside the file part', complete.headers['content-type'], Buffer.from(body.slice(0, body.indexOf('hello') + 2), 'latin1')],
        ['an empty body', complete.headers['content-type'], ''],
        ['headers without a blank line', complete.headers['content-type'], `--${boundary}\r\nContent-Disposition: form-data; name="collection"`],
      ];
      const answers = [];
      for (const [what, contentType, payload] of cases) {
        const res = await raw(contentType, payload);
        answers.push({ what, status: res.statusCode, code: res.json<ApiErrorBody>().error?.code, message: res.json<ApiErrorBody>().error?.message });
      }
      expect(answers).toEqual(cases.map(([what]) => ({ what, status: 400, code: 'invalid_upload', message: expect.stringMatching(/multipart/) })));
      for (const [, contentType, payload] of cases) expectApiError(await raw(contentType, payload), 400, 'invalid_upload');
      expect(await prisma.document.count({ where: { tenantId: alice.tenant.id } })).toBe(before);
    });

    it('needs an API key', async () => {
      expectApiError(await upload(undefined, { collection: 'c' }, [{ filename: 'a.txt', bytes: Buffer.from('x') }]), 401, 'missing_api_key');
    });

    it('refuses to mix embedding models in one collection (409) and keeps collections per tenant', async () => {
      const owner = await newTenant();
      await prisma.collection.create({
        data: { tenantId: owner.tenant.id, ownerUserId: owner.user.id, scopeId: owner.user.id, name: 'legacy', embeddingModel: 'text-embedding-3-small', embeddingDimension: 1536 },
      });
      const res = await uploadText(owner, 'hello', 'legacy');
      const body = expectApiError(res, 409, 'embedding_model_mismatch', 'collection');
      expect(body.error.message).toMatch(/holds text-embedding-3-small embeddings \(1536 dimensions\).*hashing-v2 \(384 dimensions\)/);
      // The same name in another tenant is another collection.
      expect((await uploadText(alice, 'hello', 'legacy')).statusCode).toBe(202);
      expect(await prisma.collection.count({ where: { name: 'legacy', tenantId: { in: [owner.tenant.id, alice.tenant.id] } } })).toBe(2);
    });
  });

  describe('read, list, isolation', () => {
    it('reads status and progress', async () => {
      const id = (await uploadText(alice, 'progress please')).json<DocumentObject>().id;
      await prisma.document.update({ where: { id }, data: { status: DocumentStatus.embedding, chunksTotal: 10, chunksDone: 4 } });
      const res = await call('GET', `/v1/documents/${id}`, alice.authHeader);
      expect(res.statusCode).toBe(200);
      expect(res.json<DocumentObject>()).toMatchObject({ id, status: 'embedding', progress: { chunks_done: 4, chunks_total: 10 }, error: null });
      await prisma.document.update({ where: { id }, data: { status: DocumentStatus.failed, error: 'not a valid PDF' } });
      expect((await call('GET', `/v1/documents/${id}`, alice.authHeader)).json<DocumentObject>()).toMatchObject({ status: 'failed', error: 'not a valid PDF' });
    });

    it('lists the caller\'s documents newest first, paginated and filtered by collection and status', async () => {
      const owner = await newTenant();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push((await uploadText(owner, `doc ${i}`, i % 2 === 0 ? 'even' : 'odd')).json<DocumentObject>().id);
      await prisma.document.update({ where: { id: ids[4] }, data: { status: DocumentStatus.indexed } });
      const seen: string[] = [];
      let after = '';
      for (let page = 0; page < 5; page += 1) {
        const res = await call('GET', `/v1/documents?limit=2${after ? `&after=${after}` : ''}`, owner.authHeader);
        const body = res.json<ListPage<DocumentObject>>();
        seen.push(...body.data.map((d) => d.id));
        if (!body.has_more) break;
        after = body.last_id ?? '';
      }
      expect(seen).toEqual([...ids].reverse());
      const even = (await call('GET', '/v1/documents?collection=even', owner.authHeader)).json<ListPage<DocumentObject>>();
      expect(even.data.map((d) => d.id)).toEqual([ids[4], ids[2], ids[0]]);
      const indexed = (await call('GET', '/v1/documents?status=indexed', owner.authHeader)).json<ListPage<DocumentObject>>();
      expect(indexed.data.map((d) => d.id)).toEqual([ids[4]]);
      expectApiError(await call('GET', '/v1/documents?status=done', owner.authHeader), 400, 'invalid_request', 'status');
      expectApiError(await call('GET', `/v1/documents?after=${randomUUID()}`, owner.authHeader), 400, 'invalid_cursor', 'after');
    });

    it("answers 404 for another tenant's or another user's document, on every route, and lists only the caller's", async () => {
      const owner = await newTenant();
      const colleague = await createUserWithKey(prisma, owner.tenant);
      const stranger = await newTenant();
      const id = (await uploadText(owner, 'private', 'shared')).json<DocumentObject>().id;
      await prisma.document.update({ where: { id }, data: { status: DocumentStatus.indexed } });
      for (const other of [colleague, stranger]) {
        for (const [method, url] of [
          ['GET', `/v1/documents/${id}`],
          ['DELETE', `/v1/documents/${id}`],
          ['POST', `/v1/documents/${id}/reindex`],
        ] as const) {
          expectApiError(await call(method, url, other.authHeader), 404, 'document_not_found', 'id');
        }
        const list = (await call('GET', '/v1/documents?limit=100', other.authHeader)).json<ListPage<DocumentObject>>();
        expect(list.data.map((d) => d.id)).not.toContain(id);
        expectApiError(await call('GET', `/v1/documents?after=${id}`, other.authHeader), 400, 'invalid_cursor');
      }
      for (const bad of ['nope', randomUUID()]) expectApiError(await call('GET', `/v1/documents/${bad}`, owner.authHeader), 404, 'document_not_found');
      expect((await call('GET', `/v1/documents/${id}`, owner.authHeader)).statusCode).toBe(200);
      // The colleague's upload of the same name goes into a private collection of their own.
      expect((await uploadText(colleague, 'mine', 'shared')).json<DocumentObject>().collection).toBe('shared');
      const collections = await prisma.collection.findMany({ where: { tenantId: owner.tenant.id, name: 'shared' } });
      expect(collections.map((c) => [c.visibility, c.ownerUserId]).sort()).toEqual([['private', owner.user.id], ['private', colleague.user.id]].sort());
    });
  });

  describe('collections: private by default, tenant-shared by a tenant admin', () => {
    it('makes an upload’s new collection private: another user of the tenant gets 404 on it and uploads into a collection of their own', async () => {
      const owner = await newTenant();
      const colleague = await createUserWithKey(prisma, owner.tenant);
      expect((await uploadText(owner, 'mine', 'private-notes')).statusCode).toBe(202);
      const [collection] = (await call('GET', '/v1/collections', owner.authHeader)).json<ListPage<CollectionObject>>().data;
      expect(collection).toMatchObject({ name: 'private-notes', visibility: 'private', owned: true });
      expectApiError(await call('GET', `/v1/collections/${collection.id}`, colleague.authHeader), 404, 'collection_not_found', 'id');
      expect((await call('GET', '/v1/collections', colleague.authHeader)).json<ListPage<CollectionObject>>().data).toEqual([]);
      // Same name, the colleague's own private collection: not the owner's.
      const theirs = (await uploadText(colleague, 'theirs', 'private-notes')).json<DocumentObject>();
      const row = await prisma.document.findUniqueOrThrow({ where: { id: theirs.id }, include: { collection: true } });
      expect(row.collection).toMatchObject({ ownerUserId: colleague.user.id, visibility: 'private' });
      expect(row.collection.id).not.toBe(collection.id);
      const other = await newTenant();
      expectApiError(await call('GET', `/v1/collections/${collection.id}`, other.authHeader), 404, 'collection_not_found', 'id');
    });

    it('lets only a tenant admin create a tenant collection, which every user of the tenant sees and uploads into', async () => {
      const admin = await createTenantWithUser(prisma, { role: 'tenant_admin' });
      tenants.push(admin.tenant);
      const member = await createUserWithKey(prisma, admin.tenant);
      expectApiError(await call('POST', '/v1/collections', member.authHeader, { name: 'shared', visibility: 'tenant' }), 403, 'tenant_admin_required');
      const created = await call('POST', '/v1/collections', admin.authHeader, { name: 'shared', visibility: 'tenant' });
      expect(created.statusCode).toBe(201);
      const shared = created.json<CollectionObject>();
      expect(shared).toMatchObject({ name: 'shared', visibility: 'tenant', owned: true });
      expectApiError(await call('POST', '/v1/collections', admin.authHeader, { name: 'shared', visibility: 'tenant' }), 409, 'collection_exists', 'name');
      expect((await call('GET', `/v1/collections/${shared.id}`, member.authHeader)).json()).toMatchObject({ id: shared.id, owned: false });
      const doc = (await uploadText(member, 'for everyone', 'shared')).json<DocumentObject>();
      expect((await prisma.document.findUniqueOrThrow({ where: { id: doc.id } })).collectionId).toBe(shared.id);
      // A member may still create private collections explicitly; bad input is a 400.
      expect((await call('POST', '/v1/collections', member.authHeader, { name: 'mine' })).json()).toMatchObject({ visibility: 'private' });
      expectApiError(await call('POST', '/v1/collections', member.authHeader, { name: 'x', visibility: 'public' }), 400, 'invalid_request', 'visibility');
      const outsider = await newTenant();
      expectApiError(await call('GET', `/v1/collections/${shared.id}`, outsider.authHeader), 404, 'collection_not_found', 'id');
    });
  });

  describe('delete and reindex', () => {
    /** Pretends the worker indexed the document: chunks and their vectors. */
    async function indexed(documentId: string, chunks = 3) {
      const document = await prisma.document.findUniqueOrThrow({ where: { id: documentId } });
      const points = Array.from({ length: chunks }, (_, i) => ({
        id: chunkPointId(document.tenantId, documentId, i),
        vector: Array.from({ length: 384 }, (_, d) => (d === i ? 1 : 0)),
        payload: { tenant_id: document.tenantId, document_id: documentId, collection: document.collectionId, chunk_index: i, text: `c${i}`, start_offset: 0, end_offset: 2 },
      }));
      await vectors.upsert(space, points);
      await prisma.documentChunk.createMany({
        data: points.map((p) => ({ id: p.id, documentId, tenantId: document.tenantId, position: p.payload.chunk_index, text: p.payload.text, startOffset: 0, endOffset: 2, tokenCount: 1, embeddedAt: new Date() })),
      });
      await prisma.document.update({ where: { id: documentId }, data: { status: DocumentStatus.indexed, chunksTotal: chunks, chunksDone: chunks, indexedAt: new Date() } });
      return document;
    }

    it('removes vectors, chunks, blob and row', async () => {
      const id = (await uploadText(alice, 'to be deleted')).json<DocumentObject>().id;
      const document = await indexed(id, 4);
      expect(await vectors.countDocument(space, alice.tenant.id, id)).toBe(4);
      const res = await call('DELETE', `/v1/documents/${id}`, alice.authHeader);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id, object: 'document.deleted', deleted: true });
      expect(await vectors.countDocument(space, alice.tenant.id, id)).toBe(0);
      expect(await prisma.documentChunk.count({ where: { documentId: id } })).toBe(0);
      expect(await prisma.document.findUnique({ where: { id } })).toBeNull();
      await expect(blobs.get(document.blobKey)).rejects.toBeInstanceOf(BlobNotFoundError);
      expectApiError(await call('DELETE', `/v1/documents/${id}`, alice.authHeader), 404, 'document_not_found');
    });

    it("leaves another user's vectors alone", async () => {
      const owner = await newTenant();
      const id = (await uploadText(owner, 'keep me')).json<DocumentObject>().id;
      await indexed(id, 2);
      expectApiError(await call('DELETE', `/v1/documents/${id}`, alice.authHeader), 404, 'document_not_found');
      expect(await vectors.countDocument(space, owner.tenant.id, id)).toBe(2);
    });

    it('deletes a document that never got vectors', async () => {
      const id = (await uploadText(alice, 'queued only')).json<DocumentObject>().id;
      expect((await call('DELETE', `/v1/documents/${id}`, alice.authHeader)).statusCode).toBe(200);
    });

    it('reindexes: new attempt, chunks and vectors dropped, a new deterministic job; refused while in progress', async () => {
      const id = (await uploadText(alice, 'reindex me')).json<DocumentObject>().id;
      expectApiError(await call('POST', `/v1/documents/${id}/reindex`, alice.authHeader), 409, 'document_busy', 'id');
      await indexed(id, 3);
      const res = await call('POST', `/v1/documents/${id}/reindex`, alice.authHeader);
      expect(res.statusCode).toBe(202);
      expect(res.json<DocumentObject>()).toMatchObject({ id, status: 'queued', attempts: 2, progress: { chunks_done: 0, chunks_total: 0 }, indexed_at: null });
      expect(await vectors.countDocument(space, alice.tenant.id, id)).toBe(0);
      expect(await prisma.documentChunk.count({ where: { documentId: id } })).toBe(0);
      const job = await producer.queue('ingestion').getJob(documentIngestJobId(id, 2));
      expect(job?.data).toEqual({ document_id: id, tenant_id: alice.tenant.id, attempt: 2 });
      expectApiError(await call('POST', `/v1/documents/${id}/reindex`, alice.authHeader), 409, 'document_busy');
    });
  });
});
