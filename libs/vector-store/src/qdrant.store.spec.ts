import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Schemas } from '@qdrant/js-client-rest';
import {
  InvalidVectorInputError,
  VectorDimensionError,
  VectorSpaceNotFoundError,
  VectorTenantConflictError,
} from './vector-store.exception';
import { QdrantVectorStore, type QdrantApi } from './qdrant.store';
import { chunkPointId } from './validation';
import type { VectorPoint, VectorSpace } from './vector-store';

const TENANT = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const DOC = '33333333-3333-4333-8333-333333333333';
const space: VectorSpace = { name: 'unit-4', dimension: 4 };

function point(chunk: number, tenant = TENANT, vector = [1, 0, 0, 0]): VectorPoint {
  return {
    id: chunkPointId(tenant, DOC, chunk),
    vector,
    payload: { tenant_id: tenant, document_id: DOC, collection: 'c', chunk_index: chunk, text: 'x', start_offset: 0, end_offset: 1 },
  };
}

/** A jest-mocked stand-in for the Qdrant client with happy-path answers. */
function fakeClient() {
  const fake = {
    collectionExists: jest.fn(async () => ({ exists: false })),
    createCollection: jest.fn(async () => true),
    createPayloadIndex: jest.fn(async () => ({ operation_id: 1, status: 'completed' as const })),
    getCollection: jest.fn(async () => ({ config: { params: { vectors: { size: 4, distance: 'Cosine' } } }, payload_schema: {} })),
    getCollections: jest.fn(async () => ({ collections: [] })),
    deleteCollection: jest.fn(async () => true),
    upsert: jest.fn(async () => ({ operation_id: 2, status: 'completed' as const })),
    retrieve: jest.fn(async (): Promise<{ id: string; payload: Record<string, unknown> }[]> => []),
    query: jest.fn(async (): Promise<{ points: { id: string; score: number; payload: unknown }[] }> => ({ points: [] })),
    delete: jest.fn(async () => ({ operation_id: 3, status: 'completed' as const })),
    count: jest.fn(async () => ({ count: 7 })),
  };
  return { fake, client: fake as unknown as QdrantApi };
}

describe('QdrantVectorStore (against a fake client)', () => {
  it('creates a cosine collection with the tenant, document and collection payload indexes, once', async () => {
    const { fake, client } = fakeClient();
    const store = new QdrantVectorStore({ url: 'http://unused', client });
    await store.ensureSpace(space);
    await store.ensureSpace(space);
    expect(fake.createCollection).toHaveBeenCalledTimes(1);
    expect(fake.createCollection).toHaveBeenCalledWith('unit-4', expect.objectContaining({ vectors: { size: 4, distance: 'Cosine' } }));
    expect(fake.createPayloadIndex.mock.calls).toEqual([
      ['unit-4', { field_name: 'tenant_id', field_schema: { type: 'keyword', is_tenant: true }, wait: true }],
      ['unit-4', { field_name: 'user_id', field_schema: { type: 'keyword' }, wait: true }],
      ['unit-4', { field_name: 'document_id', field_schema: { type: 'keyword' }, wait: true }],
      ['unit-4', { field_name: 'collection', field_schema: { type: 'keyword' }, wait: true }],
    ]);
  });

  it('tolerates losing the creation race and skips indexes that exist', async () => {
    const { fake, client } = fakeClient();
    fake.collectionExists.mockResolvedValueOnce({ exists: false }).mockResolvedValueOnce({ exists: true });
    fake.createCollection.mockRejectedValueOnce(Object.assign(new Error('Conflict'), { status: 409 }));
    fake.getCollection.mockResolvedValueOnce({
      config: { params: { vectors: { size: 4, distance: 'Cosine' } } },
      payload_schema: { tenant_id: {}, user_id: {}, document_id: {}, collection: {} },
    } as never);
    await new QdrantVectorStore({ url: 'http://unused', client }).ensureSpace(space);
    expect(fake.createPayloadIndex).not.toHaveBeenCalled();
  });

  it('rejects an existing collection of another dimension', async () => {
    const { fake, client } = fakeClient();
    fake.collectionExists.mockResolvedValue({ exists: true });
    fake.getCollection.mockResolvedValue({ config: { params: { vectors: { size: 8, distance: 'Cosine' } } }, payload_schema: {} });
    await expect(new QdrantVectorStore({ url: 'http://unused', client }).ensureSpace(space)).rejects.toThrow(VectorDimensionError);
  });

  it('upserts in batches with wait: true after checking who owns the ids', async () => {
    const { fake, client } = fakeClient();
    const store = new QdrantVectorStore({ url: 'http://unused', client, upsertBatchSize: 2 });
    await store.upsert(space, [point(0), point(1), point(2)]);
    expect(fake.upsert).toHaveBeenCalledTimes(2);
    expect(fake.upsert.mock.calls[0]).toEqual(['unit-4', { wait: true, points: [point(0), point(1)] }]);
    expect(fake.retrieve.mock.calls[1]).toEqual(['unit-4', { ids: [point(2).id], with_payload: { include: ['tenant_id'] }, with_vector: false }]);
  });

  it("refuses to overwrite another tenant's point", async () => {
    const { fake, client } = fakeClient();
    const mine = point(0);
    fake.retrieve.mockResolvedValue([{ id: mine.id, payload: { tenant_id: OTHER } }]);
    const store = new QdrantVectorStore({ url: 'http://unused', client });
    await expect(store.upsert(space, [mine])).rejects.toBeInstanceOf(VectorTenantConflictError);
    expect(fake.upsert).not.toHaveBeenCalled();
  });

  it('validates before calling Qdrant', async () => {
    const { fake, client } = fakeClient();
    const store = new QdrantVectorStore({ url: 'http://unused', client });
    await expect(store.upsert(space, [point(0, TENANT, [1, 0])])).rejects.toBeInstanceOf(VectorDimensionError);
    await expect(store.upsert(space, [point(0, TENANT, [1, 0, 0, Number.NaN])])).rejects.toBeInstanceOf(InvalidVectorInputError);
    await expect(store.search(space, [1, 0, 0, 0], { tenantId: TENANT, limit: 0 })).rejects.toBeInstanceOf(InvalidVectorInputError);
    await expect(store.search({ name: 'Bad Name', dimension: 4 }, [1, 0, 0, 0], { tenantId: TENANT, limit: 1 })).rejects.toBeInstanceOf(
      InvalidVectorInputError,
    );
    expect(fake.upsert).not.toHaveBeenCalled();
    expect(fake.query).not.toHaveBeenCalled();
  });

  it('always filters searches by tenant, plus collection and document ids', async () => {
    const { fake, client } = fakeClient();
    const p = point(0);
    fake.query.mockResolvedValue({
      points: [
        { id: p.id, score: 0.9, payload: p.payload },
        { id: 'leak', score: 0.99, payload: { ...p.payload, tenant_id: OTHER } },
      ],
    });
    const store = new QdrantVectorStore({ url: 'http://unused', client, efSearch: 64 });
    const hits = await store.search(space, [1, 0, 0, 0], {
      tenantId: TENANT.toUpperCase(),
      collection: 'c',
      documentIds: [DOC],
      limit: 100,
      scoreThreshold: 0.3,
    });
    expect(hits).toEqual([{ id: p.id, score: 0.9, payload: p.payload }]);
    expect(fake.query).toHaveBeenCalledWith('unit-4', {
      query: [1, 0, 0, 0],
      filter: {
        must: [
          { key: 'tenant_id', match: { value: TENANT } },
          { key: 'collection', match: { value: 'c' } },
          { key: 'document_id', match: { any: [DOC] } },
        ],
      },
      limit: 100,
      score_threshold: 0.3,
      params: { hnsw_ef: 100 },
      with_payload: true,
      with_vector: false,
    });
  });

  it('filters a private collection’s search by uploader in the payload filter, and drops any other user’s point it is given', async () => {
    const { fake, client } = fakeClient();
    const USER = '44444444-4444-4444-8444-444444444444';
    const mine = { ...point(0).payload, user_id: USER };
    fake.query.mockResolvedValue({
      points: [
        { id: 'mine', score: 0.9, payload: mine },
        { id: 'colleague', score: 0.95, payload: { ...mine, user_id: '55555555-5555-4555-8555-555555555555' } },
        { id: 'legacy', score: 0.8, payload: point(1).payload },
      ],
    });
    const store = new QdrantVectorStore({ url: 'http://unused', client, efSearch: 64 });
    const hits = await store.search(space, [1, 0, 0, 0], { tenantId: TENANT, userId: USER.toUpperCase(), collection: 'c', limit: 5 });
    expect(hits.map((hit) => hit.id)).toEqual(['mine']);
    expect(fake.query).toHaveBeenCalledWith('unit-4', expect.objectContaining({
      filter: {
        must: [
          { key: 'tenant_id', match: { value: TENANT } },
          { key: 'user_id', match: { value: USER } },
          { key: 'collection', match: { value: 'c' } },
        ],
      },
    }));
  });

  it('scopes deletes and counts to the tenant and document', async () => {
    const { fake, client } = fakeClient();
    const store = new QdrantVectorStore({ url: 'http://unused', client });
    await store.deleteDocument(space, TENANT, DOC);
    expect(await store.countDocument(space, TENANT, DOC)).toBe(7);
    const filter: Schemas['Filter'] = { must: [{ key: 'tenant_id', match: { value: TENANT } }, { key: 'document_id', match: { value: DOC } }] };
    expect(fake.delete).toHaveBeenCalledWith('unit-4', { wait: true, filter });
    expect(fake.count).toHaveBeenCalledWith('unit-4', { filter, exact: true });
  });

  it('maps a 404 to VectorSpaceNotFoundError, from the fetcher or the client', async () => {
    const { fake, client } = fakeClient();
    fake.query.mockRejectedValueOnce(Object.assign(new Error('Not Found'), { status: 404 }));
    fake.count.mockRejectedValueOnce(new Error('Unexpected Response: 404 (Not Found)'));
    const store = new QdrantVectorStore({ url: 'http://unused', client });
    await expect(store.search(space, [1, 0, 0, 0], { tenantId: TENANT, limit: 1 })).rejects.toBeInstanceOf(VectorSpaceNotFoundError);
    await expect(store.countDocument(space, TENANT, DOC)).rejects.toBeInstanceOf(VectorSpaceNotFoundError);
  });

  it('ping names Qdrant when it fails', async () => {
    const { fake, client } = fakeClient();
    fake.getCollections.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    await expect(new QdrantVectorStore({ url: 'http://unused', client }).ping()).rejects.toThrow('qdrant did not answer: connect ECONNREFUSED');
  });

  it('rejects a URL without a scheme', () => {
    expect(() => new QdrantVectorStore({ url: 'qdrant:6333' })).toThrow(/http:\/\/ or https:\/\//);
  });
});

/** What the real client sends, seen by a stub HTTP server that answers like Qdrant. */
describe('QdrantVectorStore (real client on the wire)', () => {
  let server: Server;
  let url: string;
  const seen: { method: string; path: string; body: unknown; apiKey: string | undefined }[] = [];

  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      request.on('data', (chunk: Buffer) => (data += chunk.toString()));
      request.on('end', () => resolve(data));
    });

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await read(request);
      const path = request.url ?? '';
      seen.push({ method: request.method ?? '', path, body: body ? JSON.parse(body) : undefined, apiKey: request.headers['api-key'] as string | undefined });
      const reply = (result: unknown, status = 200) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ result, status: status === 200 ? 'ok' : { error: 'Not found: Collection `nope-4` doesn\'t exist!' }, time: 0 }));
      };
      if (path.startsWith('/collections/nope-4')) return reply(null, 404);
      if (path.endsWith('/exists')) return reply({ exists: false });
      if (request.method === 'PUT' && path.startsWith('/collections/wire-4?')) return reply(true);
      if (request.method === 'PUT' && path === '/collections/wire-4') return reply(true);
      if (request.method === 'GET' && path === '/collections/wire-4') {
        return reply({ status: 'green', config: { params: { vectors: { size: 4, distance: 'Cosine' } } }, payload_schema: {} });
      }
      if (path.startsWith('/collections/wire-4/index')) return reply({ operation_id: 1, status: 'completed' });
      if (path.startsWith('/collections/wire-4/points?')) return reply({ operation_id: 2, status: 'completed' });
      if (path === '/collections/wire-4/points') return reply([]);
      if (path.startsWith('/collections/wire-4/points/query')) return reply({ points: [] });
      if (path.startsWith('/collections/wire-4/points/count')) return reply({ count: 0 });
      if (path.startsWith('/collections/wire-4/points/delete')) return reply({ operation_id: 3, status: 'completed' });
      if (path === '/collections') return reply({ collections: [] });
      reply(null, 404);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('speaks the Qdrant REST API: collection, payload indexes, waited upsert, filtered query', async () => {
    // The client warns (console.warn) about an API key over plain http; expected against the stub.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = new QdrantVectorStore({ url, apiKey: 'key-1', timeoutMs: 2000 });
    warn.mockRestore();
    const wire: VectorSpace = { name: 'wire-4', dimension: 4 };
    await store.ensureSpace(wire);
    await store.upsert(wire, [point(0)]);
    await store.search(wire, [1, 0, 0, 0], { tenantId: TENANT, limit: 3 });
    await store.countDocument(wire, TENANT, DOC);
    await store.deleteDocument(wire, TENANT, DOC);
    await store.ping();
    await expect(store.search({ name: 'nope-4', dimension: 4 }, [1, 0, 0, 0], { tenantId: TENANT, limit: 1 })).rejects.toBeInstanceOf(
      VectorSpaceNotFoundError,
    );

    const calls = seen.map((s) => `${s.method} ${s.path.replace(/\?.*$/, (q) => (q.includes('wait=true') ? '?wait=true' : ''))}`);
    expect(calls).toEqual([
      'GET /collections/wire-4/exists',
      'PUT /collections/wire-4',
      'GET /collections/wire-4',
      'PUT /collections/wire-4/index?wait=true',
      'PUT /collections/wire-4/index?wait=true',
      'PUT /collections/wire-4/index?wait=true',
      'PUT /collections/wire-4/index?wait=true',
      'POST /collections/wire-4/points',
      'PUT /collections/wire-4/points?wait=true',
      'POST /collections/wire-4/points/query',
      'POST /collections/wire-4/points/count',
      'POST /collections/wire-4/points/delete?wait=true',
      'GET /collections',
      'POST /collections/nope-4/points/query',
    ]);
    expect(seen.every((s) => s.apiKey === 'key-1')).toBe(true);
    expect(seen[1].body).toMatchObject({ vectors: { size: 4, distance: 'Cosine' } });
    expect(seen[3].body).toEqual({ field_name: 'tenant_id', field_schema: { type: 'keyword', is_tenant: true } });
    expect(seen[8].body).toEqual({ points: [{ id: point(0).id, vector: [1, 0, 0, 0], payload: point(0).payload }] });
    expect(seen[9].body).toMatchObject({ query: [1, 0, 0, 0], filter: { must: [{ key: 'tenant_id', match: { value: TENANT } }] }, limit: 3 });
  });

  it('ping fails naming Qdrant when nothing listens', async () => {
    const store = new QdrantVectorStore({ url: 'http://127.0.0.1:1', timeoutMs: 1000 });
    await expect(store.ping()).rejects.toThrow(/^qdrant did not answer/);
  });
});
