import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { describeVectorStoreContract } from './vector-store.contract';
import { buildSearchQuery, PgVectorStore, pgTableName } from './pgvector.store';
import { chunkPointId } from './validation';
import { vectorSpaceFor } from './vector-space';
import { vectorStoreSettings } from './vector-store.config';
import { VECTOR_STORE } from './vector-store.constants';
import { VectorStoreModule } from './vector-store.module';
import { VectorStoreReadiness } from './vector-store.readiness';
import type { ManagedVectorStore, VectorPoint } from './vector-store';

const databaseUrl = () => {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set (the integration globalSetup sets it)');
  return url;
};

describeVectorStoreContract('pgvector', () => new PgVectorStore({ connectionString: databaseUrl(), poolSize: 4 }));

describe('PgVectorStore (pgvector specifics)', () => {
  const run = randomUUID().slice(0, 8);
  let admin: Client;

  beforeAll(async () => {
    admin = new Client({ connectionString: databaseUrl() });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.end();
  });

  function withOptions(url: string, options: string): string {
    const parsed = new URL(url);
    parsed.searchParams.set('options', options);
    return parsed.toString();
  }

  function randomUnit(dimension: number, around?: number[], spread = 1): number[] {
    const v = Array.from({ length: dimension }, (_, i) => (around ? around[i] : 0) + (Math.random() * 2 - 1) * spread);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  }

  function chunk(tenant: string, document: string, index: number, vector: number[]): VectorPoint {
    return {
      id: chunkPointId(tenant, document, index),
      vector,
      payload: { tenant_id: tenant, document_id: document, collection: 'c', chunk_index: index, text: `t${index}`, start_offset: 0, end_offset: 2 },
    };
  }

  it('creates the table, the HNSW cosine index and the tenant btree indexes', async () => {
    const store = new PgVectorStore({ connectionString: databaseUrl() });
    const space = vectorSpaceFor(`ddl-${run}`, 12);
    try {
      await store.ensureSpace(space);
      const table = pgTableName(space);
      const { rows } = await admin.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname', [table]);
      const defs = rows.map((r) => r.indexdef).join('\n');
      expect(defs).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
      expect(defs).toMatch(/\(tenant_id, document_id\)/);
      expect(defs).toMatch(/\(tenant_id, collection\)/);
      expect(defs).toMatch(/UNIQUE INDEX .* \(id\)/);
      const columns = await admin.query<{ column_name: string; type: string }>(
        `SELECT attname AS column_name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
         WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [`"${table}"`],
      );
      expect(columns.rows).toEqual([
        { column_name: 'id', type: 'uuid' },
        { column_name: 'tenant_id', type: 'uuid' },
        { column_name: 'document_id', type: 'uuid' },
        { column_name: 'collection', type: 'text' },
        { column_name: 'chunk_index', type: 'integer' },
        { column_name: 'payload', type: 'jsonb' },
        { column_name: 'embedding', type: 'vector(12)' },
      ]);
    } finally {
      await store.dropSpace(space);
      await store.close();
    }
  });

  it("a tenant filter does not starve an HNSW search when other tenants crowd the neighbourhood", async () => {
    // Seq scans off, and no btree to fall back on: the HNSW index has to drive the search.
    const store = new PgVectorStore({ connectionString: withOptions(databaseUrl(), '-c enable_seqscan=off'), efSearch: 40 });
    const space = vectorSpaceFor(`starve-${run}`, 16);
    try {
      await store.ensureSpace(space);
      const table = pgTableName(space);
      await admin.query(`DROP INDEX "${table}_tdoc"; DROP INDEX "${table}_tcol"`);
      const query = randomUnit(16);
      const [crowd, small] = [randomUUID(), randomUUID()];
      const crowdDoc = randomUUID();
      await store.upsert(space, Array.from({ length: 3000 }, (_, i) => chunk(crowd, crowdDoc, i, randomUnit(16, query, 0.05))));
      const smallDoc = randomUUID();
      await store.upsert(space, Array.from({ length: 5 }, (_, i) => chunk(small, smallDoc, i, randomUnit(16, query.map((x) => -x), 0.3))));
      await admin.query(`ANALYZE "${table}"`);

      const { text, values } = buildSearchQuery(space, query, { tenantId: small, limit: 5 });
      await admin.query('BEGIN');
      try {
        await admin.query('SET LOCAL enable_seqscan = off; SET LOCAL hnsw.ef_search = 40');
        const plan = (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values)).rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain(`${table}_hnsw`);
        // Without iterative scans the 40 candidates are all the crowd's: the small tenant gets nothing.
        await admin.query('SET LOCAL hnsw.iterative_scan = off');
        const starved = await admin.query(text, values);
        expect(starved.rows.length).toBeLessThan(5);
      } finally {
        await admin.query('ROLLBACK');
      }

      const hits = await store.search(space, query, { tenantId: small, limit: 5 });
      expect(hits).toHaveLength(5);
      expect(hits.every((h) => h.payload.tenant_id === small)).toBe(true);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
    } finally {
      await store.dropSpace(space);
      await store.close();
    }
  });

  it('indexes dimensions above 2000 through a halfvec expression the search uses', async () => {
    const store = new PgVectorStore({ connectionString: databaseUrl() });
    const space = vectorSpaceFor(`wide-${run}`, 3072);
    try {
      await store.ensureSpace(space);
      const table = pgTableName(space);
      const { rows } = await admin.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE indexname = $1', [`${table}_hnsw`]);
      expect(rows[0]?.indexdef).toMatch(/hnsw \(\(\(embedding\)::halfvec\(3072\)\) halfvec_cosine_ops\)/);
      const tenant = randomUUID();
      const document = randomUUID();
      const vectors = Array.from({ length: 3 }, () => randomUnit(3072));
      await store.upsert(space, vectors.map((v, i) => chunk(tenant, document, i, v)));
      const hits = await store.search(space, vectors[1], { tenantId: tenant, limit: 3 });
      expect(hits[0].payload.chunk_index).toBe(1);
      expect(hits[0].score).toBeCloseTo(1, 2);

      const query = buildSearchQuery(space, vectors[1], { tenantId: tenant, limit: 3 });
      await admin.query('BEGIN');
      try {
        await admin.query('SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = on');
        await admin.query(`DROP INDEX "${table}_tdoc"; DROP INDEX "${table}_tcol"`);
        const plan = (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.text}`, query.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain(`${table}_hnsw`);
      } finally {
        await admin.query('ROLLBACK');
      }
    } finally {
      await store.dropSpace(space);
      await store.close();
    }
  });

  it('puts the tables in the schema named by a Prisma-style ?schema= parameter', async () => {
    const schema = `vs_${run}`;
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const url = new URL(databaseUrl());
    url.searchParams.set('schema', schema);
    const store = new PgVectorStore({ connectionString: url.toString() });
    const space = vectorSpaceFor(`schema-${run}`, 4);
    try {
      await store.ensureSpace(space);
      const { rows } = await admin.query<{ schemaname: string }>('SELECT schemaname FROM pg_tables WHERE tablename = $1', [pgTableName(space)]);
      expect(rows).toEqual([{ schemaname: schema }]);
      const tenant = randomUUID();
      await store.upsert(space, [chunk(tenant, randomUUID(), 0, [1, 0, 0, 0])]);
      expect(await store.search(space, [1, 0, 0, 0], { tenantId: tenant, limit: 1 })).toHaveLength(1);
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });

  it('ping names the problem when Postgres is unreachable, and close is idempotent', async () => {
    const store = new PgVectorStore({ connectionString: 'postgresql://postgres@127.0.0.1:1/conduit_test', connectionTimeoutMs: 500 });
    await expect(store.ping()).rejects.toThrow(/^pgvector: postgres did not answer/);
    await store.close();
    await store.close();
  });
});

describe('VectorStoreModule (pgvector)', () => {
  it('provides the store and its readiness check, and closes the store on shutdown', async () => {
    const app = await NestFactory.createApplicationContext(
      VectorStoreModule.forRoot(vectorStoreSettings({ VECTOR_STORE: 'pgvector', DATABASE_URL: databaseUrl() })),
      { logger: false },
    );
    app.enableShutdownHooks();
    const store = app.get<ManagedVectorStore>(VECTOR_STORE);
    expect(store.kind).toBe('pgvector');
    const readiness = app.get(VectorStoreReadiness);
    expect(readiness.name).toBe('vector-store');
    await expect(readiness.check()).resolves.toBeUndefined();
    await app.close();
    await expect(store.ping()).rejects.toThrow(/pool after calling end/);
  });

  it('readiness fails naming the store when Postgres is unreachable', async () => {
    const app = await NestFactory.createApplicationContext(
      VectorStoreModule.forRoot({ kind: 'pgvector', connectionString: 'postgresql://postgres@127.0.0.1:1/x', poolSize: 1, efSearch: 40 }),
      { logger: false },
    );
    await expect(app.get(VectorStoreReadiness).check()).rejects.toThrow(/pgvector/);
    await app.close();
  });
});
