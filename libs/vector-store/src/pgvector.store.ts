import { Pool, type PoolClient, type PoolConfig, type QueryResultRow } from 'pg';
import {
  InvalidVectorInputError,
  VectorDimensionError,
  VectorSpaceNotFoundError,
  VectorStoreError,
  VectorTenantConflictError,
} from './vector-store.exception';
import { assertSpace } from './vector-space';
import { preparePoints, prepareQuery, uuidOf, type PreparedQuery } from './validation';
import type { ChunkPayload, ManagedVectorStore, VectorHit, VectorPoint, VectorQuery, VectorSpace } from './vector-store';

export interface PgVectorStoreOptions {
  /** postgresql:// URL; a Prisma-style `?schema=name` puts the tables in that schema. */
  connectionString: string;
  /** Connections this store's own pool may open. Default 5. */
  poolSize?: number;
  /** `hnsw.ef_search` for searches (raised to the query's limit; at most 1000). Default 100. */
  efSearch?: number;
  /** Rows per INSERT statement of an upsert. Default 500. */
  upsertBatchSize?: number;
  /** How long to wait for a pooled connection. Default 5000 ms. */
  connectionTimeoutMs?: number;
  /** application_name shown in pg_stat_activity. Default `conduit-vector-store`. */
  applicationName?: string;
  /** Errors of idle pooled connections (the server went away, …); by default they are dropped. */
  onPoolError?: (error: Error) => void;
}

/** HNSW indexes `vector` columns up to 2,000 dimensions and `halfvec` expressions up to 4,000. */
const HNSW_MAX_VECTOR_DIMENSION = 2_000;
const HNSW_MAX_HALFVEC_DIMENSION = 4_000;
const MAX_EF_SEARCH = 1_000;
/** Advisory lock (two int4 keys) serialising this library's DDL within a database. */
const DDL_LOCK: readonly [number, number] = [0x436f6e64, 0x76656373]; // 'Cond', 'vecs'

type IndexTier = 'vector' | 'halfvec' | 'none';

function indexTier(dimension: number): IndexTier {
  if (dimension <= HNSW_MAX_VECTOR_DIMENSION) return 'vector';
  if (dimension <= HNSW_MAX_HALFVEC_DIMENSION) return 'halfvec';
  return 'none';
}

/** The space's table name, unquoted (the space name is already restricted to [a-z0-9_-]). */
export function pgTableName(space: VectorSpace): string {
  return `vector_space_${space.name}`;
}

const quote = (identifier: string) => `"${identifier}"`;

/** `[1,2,3]`, pgvector's text form. */
function vectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

function distanceExpression(space: VectorSpace, parameter: string): string {
  return indexTier(space.dimension) === 'halfvec'
    ? `embedding::halfvec(${space.dimension}) <=> ${parameter}::halfvec(${space.dimension})`
    : `embedding <=> ${parameter}::vector(${space.dimension})`;
}

/**
 * The search statement: the k nearest of one tenant in a materialized CTE (so the HNSW index drives
 * it; with iterative scans the order may be relaxed), re-sorted and cut at the score threshold.
 * Parameters: $1 query vector, $2 tenant, $3 limit, then uploader / collection / document ids / max distance.
 */
export function buildSearchQuery(space: VectorSpace, vector: readonly number[], query: PreparedQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [vectorLiteral(vector), query.tenantId, query.limit];
  const filters = ['tenant_id = $2'];
  if (query.userId !== undefined) {
    values.push(query.userId);
    filters.push(`payload->>'user_id' = $${values.length}`);
  }
  if (query.collection !== undefined) {
    values.push(query.collection);
    filters.push(`collection = $${values.length}`);
  }
  if (query.documentIds !== undefined) {
    values.push(query.documentIds);
    filters.push(`document_id = ANY($${values.length}::uuid[])`);
  }
  let cut = '';
  if (query.scoreThreshold !== undefined) {
    values.push(1 - query.scoreThreshold);
    cut = `WHERE distance <= $${values.length}::float8`;
  }
  const text = `WITH nearest AS MATERIALIZED (
  SELECT id, payload, ${distanceExpression(space, '$1')} AS distance
  FROM ${quote(pgTableName(space))}
  WHERE ${filters.join(' AND ')}
  ORDER BY distance
  LIMIT $3
)
SELECT id, payload, 1 - distance AS score FROM nearest ${cut} ORDER BY distance, id`;
  return { text, values };
}

/** Splits a Prisma-style `?schema=` off the URL: node-postgres ignores it, so it becomes a search_path. */
function poolConfigFor(options: PgVectorStoreOptions): PoolConfig {
  let url: URL;
  try {
    url = new URL(options.connectionString);
  } catch {
    throw new InvalidVectorInputError('pgvector connection string is not a valid URL (set DATABASE_URL)');
  }
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const config: PoolConfig = {
    connectionString: url.toString(),
    max: options.poolSize ?? 5,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    application_name: options.applicationName ?? 'conduit-vector-store',
  };
  if (schema && schema !== 'public') {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
      throw new InvalidVectorInputError(`pgvector: unsupported schema name ${JSON.stringify(schema)}`);
    }
    config.options = `-c search_path=${schema},public`;
  }
  return config;
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function compareVersion(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return a > major || (a === major && b >= minor);
}

interface PgFeatures {
  version: string;
  /** pgvector ≥ 0.8: `hnsw.iterative_scan` keeps filtered searches from coming back short. */
  iterativeScan: boolean;
}

/**
 * Postgres + pgvector: one table per vector space (`vector_space_<name>`), an HNSW cosine index on
 * the embedding and btree indexes for the tenant filters. Owns its `pg` pool; `close()` ends it.
 */
export class PgVectorStore implements ManagedVectorStore {
  readonly kind = 'pgvector' as const;
  private readonly pool: Pool;
  private readonly efSearch: number;
  private readonly batchSize: number;
  /** Spaces this process has ensured, with their dimension: later calls skip the DDL. */
  private readonly ensured = new Map<string, number>();

  /** {@link translate}, forgetting a space found missing (its table dropped behind this process's back), so the next `ensureSpace` recreates it. */
  private translate(error: unknown, space: VectorSpace | undefined): unknown {
    const translated = translate(error, space);
    if (space && translated instanceof VectorSpaceNotFoundError) this.ensured.delete(space.name);
    return translated;
  }
  private featuresPromise?: Promise<PgFeatures>;
  private closed = false;

  constructor(options: PgVectorStoreOptions) {
    this.pool = new Pool(poolConfigFor(options));
    const onPoolError = options.onPoolError ?? (() => undefined);
    // An idle client's error must be handled or it crashes the process; the next query reports it.
    this.pool.on('error', onPoolError);
    this.efSearch = Math.min(MAX_EF_SEARCH, Math.max(1, Math.floor(options.efSearch ?? 100)));
    this.batchSize = Math.max(1, Math.floor(options.upsertBatchSize ?? 500));
  }

  async ensureSpace(space: VectorSpace): Promise<void> {
    assertSpace(space);
    if (this.ensured.get(space.name) === space.dimension) return;
    const table = pgTableName(space);
    await this.transaction(undefined, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...DDL_LOCK]);
      await this.ensureExtension(client);
      const existing = await client.query<{ type: string }>(
        `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
         WHERE attrelid = to_regclass($1) AND attname = 'embedding' AND NOT attisdropped`,
        [quote(table)],
      );
      const type = existing.rows[0]?.type;
      if (type !== undefined && type !== `vector(${space.dimension})`) {
        throw new VectorDimensionError(
          `vector space "${space.name}" already exists with embedding type ${type}, not vector(${space.dimension})`,
        );
      }
      await client.query(`CREATE TABLE IF NOT EXISTS ${quote(table)} (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        document_id uuid NOT NULL,
        collection text NOT NULL,
        chunk_index integer NOT NULL,
        payload jsonb NOT NULL,
        embedding vector(${space.dimension}) NOT NULL
      )`);
      const tier = indexTier(space.dimension);
      if (tier !== 'none') {
        const indexed =
          tier === 'vector' ? 'embedding vector_cosine_ops' : `(embedding::halfvec(${space.dimension})) halfvec_cosine_ops`;
        await client.query(`CREATE INDEX IF NOT EXISTS ${quote(`${table}_hnsw`)} ON ${quote(table)} USING hnsw (${indexed})`);
      }
      await client.query(`CREATE INDEX IF NOT EXISTS ${quote(`${table}_tdoc`)} ON ${quote(table)} (tenant_id, document_id)`);
      await client.query(`CREATE INDEX IF NOT EXISTS ${quote(`${table}_tcol`)} ON ${quote(table)} (tenant_id, collection)`);
    });
    this.ensured.set(space.name, space.dimension);
  }

  async upsert(space: VectorSpace, points: VectorPoint[]): Promise<void> {
    assertSpace(space);
    // Sorted by id so concurrent upserts of overlapping points lock rows in one order (no deadlocks).
    const prepared = preparePoints(space, points).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (prepared.length === 0) return;
    const table = quote(pgTableName(space));
    // A conflicting id is only overwritten by its own tenant: the WHERE turns a cross-tenant
    // overwrite into a skipped row, which RETURNING reveals and the transaction rolls back.
    const text = `INSERT INTO ${table} AS t (id, tenant_id, document_id, collection, chunk_index, payload, embedding)
      SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::vector(${space.dimension})[])
      ON CONFLICT (id) DO UPDATE SET
        document_id = EXCLUDED.document_id, collection = EXCLUDED.collection, chunk_index = EXCLUDED.chunk_index,
        payload = EXCLUDED.payload, embedding = EXCLUDED.embedding
      WHERE t.tenant_id = EXCLUDED.tenant_id
      RETURNING id`;
    await this.transaction(space, async (client) => {
      for (let start = 0; start < prepared.length; start += this.batchSize) {
        const batch = prepared.slice(start, start + this.batchSize);
        const result = await client.query<{ id: string }>(text, [
          batch.map((p) => p.id),
          batch.map((p) => p.payload.tenant_id),
          batch.map((p) => p.payload.document_id),
          batch.map((p) => p.payload.collection),
          batch.map((p) => p.payload.chunk_index),
          batch.map((p) => JSON.stringify(p.payload)),
          batch.map((p) => vectorLiteral(p.vector)),
        ]);
        if (result.rows.length !== batch.length) {
          const written = new Set(result.rows.map((row) => row.id));
          throw new VectorTenantConflictError(space.name, batch.filter((p) => !written.has(p.id)).map((p) => p.id));
        }
      }
    });
  }

  async search(space: VectorSpace, vector: number[], query: VectorQuery): Promise<VectorHit[]> {
    assertSpace(space);
    const prepared = prepareQuery(space, vector, query);
    if (prepared.documentIds?.length === 0) return []; // an empty document filter matches nothing
    const features = await this.features(space);
    const efSearch = Math.min(MAX_EF_SEARCH, Math.max(this.efSearch, prepared.limit));
    const settings = [`SET LOCAL hnsw.ef_search = ${efSearch}`];
    if (features.iterativeScan) settings.push('SET LOCAL hnsw.iterative_scan = relaxed_order');
    const { text, values } = buildSearchQuery(space, vector, prepared);
    const rows = await this.transaction(
      space,
      async (client) => (await client.query<{ id: string; payload: ChunkPayload; score: number }>(text, values)).rows,
      `BEGIN READ ONLY; ${settings.join('; ')}`,
    );
    return rows.map((row) => ({ id: row.id, score: Number(row.score), payload: row.payload }));
  }

  async deleteDocument(space: VectorSpace, tenantId: string, documentId: string): Promise<void> {
    assertSpace(space);
    const tenant = uuidOf(tenantId, 'tenantId');
    const document = uuidOf(documentId, 'documentId');
    await this.query(space, `DELETE FROM ${quote(pgTableName(space))} WHERE tenant_id = $1 AND document_id = $2`, [tenant, document]);
  }

  async countDocument(space: VectorSpace, tenantId: string, documentId: string): Promise<number> {
    assertSpace(space);
    const tenant = uuidOf(tenantId, 'tenantId');
    const document = uuidOf(documentId, 'documentId');
    const result = await this.query<{ count: number }>(
      space,
      `SELECT count(*)::int AS count FROM ${quote(pgTableName(space))} WHERE tenant_id = $1 AND document_id = $2`,
      [tenant, document],
    );
    return result.rows[0]?.count ?? 0;
  }

  async dropSpace(space: VectorSpace): Promise<void> {
    assertSpace(space);
    await this.transaction(undefined, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...DDL_LOCK]);
      await client.query(`DROP TABLE IF EXISTS ${quote(pgTableName(space))}`);
    });
    this.ensured.delete(space.name);
  }

  async ping(): Promise<void> {
    let row: { installed: string | null; available: boolean } | undefined;
    try {
      const result = await this.pool.query<{ installed: string | null; available: boolean }>(
        `SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS installed,
                EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available`,
      );
      row = result.rows[0];
    } catch (error) {
      throw new Error(`pgvector: postgres did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!row?.installed && !row?.available) {
      throw new Error('pgvector: the vector extension is not available on this Postgres server (install pgvector)');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async ensureExtension(client: PoolClient): Promise<void> {
    const installed = await client.query<{ extversion: string }>(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
    let version = installed.rows[0]?.extversion;
    if (version === undefined) {
      try {
        await client.query('CREATE EXTENSION IF NOT EXISTS vector');
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new VectorStoreError(
          `pgvector: the vector extension is not installed and could not be created (${reason}); run CREATE EXTENSION vector as a superuser`,
        );
      }
      const created = await client.query<{ extversion: string }>(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
      version = created.rows[0]?.extversion ?? '0.0.0';
    }
    this.featuresPromise = Promise.resolve({ version, iterativeScan: compareVersion(version, 0, 8) });
  }

  /** pgvector's version, read once (a space that exists implies the extension does). */
  private features(space: VectorSpace): Promise<PgFeatures> {
    this.featuresPromise ??= this.query<{ extversion: string }>(space, `SELECT extversion FROM pg_extension WHERE extname = 'vector'`).then(
      (result) => {
        const version = result.rows[0]?.extversion;
        if (version === undefined) {
          this.featuresPromise = undefined;
          throw new VectorSpaceNotFoundError(space.name);
        }
        return { version, iterativeScan: compareVersion(version, 0, 8) };
      },
      (error: unknown) => {
        this.featuresPromise = undefined;
        throw error;
      },
    );
    return this.featuresPromise;
  }

  private async query<R extends QueryResultRow>(space: VectorSpace, text: string, values: unknown[] = []) {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw this.translate(error, space);
    }
  }

  private async transaction<T>(space: VectorSpace | undefined, work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw this.translate(error, space);
    } finally {
      client.release(broken);
    }
  }
}

/** Postgres errors that have a store-level meaning become {@link VectorStoreError}s. */
function translate(error: unknown, space: VectorSpace | undefined): unknown {
  if (!space || error instanceof VectorStoreError) return error;
  const code = pgCode(error);
  if (code === '42P01') return new VectorSpaceNotFoundError(space.name);
  const message = error instanceof Error ? error.message : '';
  if (code === '22000' && /expected \d+ dimensions/.test(message)) {
    return new VectorDimensionError(`vector space "${space.name}": ${message}`);
  }
  return error;
}
