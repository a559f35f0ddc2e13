import { Pool } from 'pg';
import { assertBlobKey, BlobNotFoundError, BlobStore } from './blob-store';

const TABLE = 'conduit_blobs';

/**
 * Blobs as `bytea` rows in Postgres: durable and shared by every replica with no shared volume,
 * which is what a Kubernetes deployment needs. Fine for documents up to tens of MB; use the
 * filesystem (or an object store) for larger objects. The table is created on first use.
 */
export class PgBlobStore implements BlobStore {
  private readonly pool: Pool;
  private ready: Promise<void> | undefined;

  constructor(connectionString: string, poolSize = 4) {
    this.pool = new Pool({ connectionString, max: poolSize, application_name: 'conduit-blob-store' });
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    assertBlobKey(key);
    await this.ensureTable();
    await this.pool.query(
      `INSERT INTO ${TABLE} (key, data, size_bytes) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, size_bytes = EXCLUDED.size_bytes, updated_at = now()`,
      [key, Buffer.from(bytes), bytes.byteLength],
    );
  }

  async get(key: string): Promise<Buffer> {
    assertBlobKey(key);
    await this.ensureTable();
    const { rows } = await this.pool.query<{ data: Buffer }>(`SELECT data FROM ${TABLE} WHERE key = $1`, [key]);
    if (rows.length === 0) throw new BlobNotFoundError(key);
    return rows[0].data;
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.ensureTable();
    await this.pool.query(`DELETE FROM ${TABLE} WHERE key = $1`, [key]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (
           key text PRIMARY KEY,
           data bytea NOT NULL,
           size_bytes integer NOT NULL,
           created_at timestamptz NOT NULL DEFAULT now(),
           updated_at timestamptz NOT NULL DEFAULT now()
         )`,
      )
      .then(() => undefined)
      .catch((error: unknown) => {
        this.ready = undefined;
        throw error;
      });
    return this.ready;
  }
}
