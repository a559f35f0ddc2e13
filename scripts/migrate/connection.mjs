// Connection settings and plain node-postgres access for the migration command.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const pg = require('pg');

/** An error whose message is shown as is (no stack): bad input or an unreachable database. */
export class CliError extends Error {}

/**
 * Parses DATABASE_URL into discrete node-postgres settings. The schema engine
 * needs host/user/password/database as separate fields (a `connectionString`
 * would win over an overridden `database`, e.g. for the shadow database).
 */
export function parseDatabaseUrl(raw) {
  if (!raw) throw new CliError('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/conduit)');
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError('DATABASE_URL is not a valid URL');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new CliError(`DATABASE_URL must be a postgresql:// URL (got ${url.protocol}//)`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new CliError('DATABASE_URL has no database name');
  const params = url.searchParams;
  const schema = params.get('schema') || 'public';
  const config = {
    host: params.get('host') || decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || process.env.PGUSER || 'postgres',
    password: url.password ? decodeURIComponent(url.password) : process.env.PGPASSWORD,
    database,
    connectionTimeoutMillis: 10_000,
    application_name: 'conduit-migrate',
  };
  const sslmode = params.get('sslmode');
  if (sslmode && sslmode !== 'disable' && sslmode !== 'prefer' && sslmode !== 'allow') {
    config.ssl = { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' };
  }
  if (schema !== 'public') config.options = `-c search_path=${quoteIdent(schema)}`;
  return { config, schema, display: `${config.host}:${config.port}/${database}` };
}

export function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

function describePgError(err) {
  const e = /** @type {any} */ (err);
  if (e && e.code === 'ECONNREFUSED') return `connection refused (${e.address ?? ''}:${e.port ?? ''})`;
  if (e && e.code === 'ENOTFOUND') return `host not found (${e.hostname ?? ''})`;
  if (e && e.code === 'ETIMEDOUT') return 'connection timed out';
  if (e && Array.isArray(e.errors) && e.errors.length > 0) return describePgError(e.errors[0]);
  return firstLine(e && e.message ? e.message : String(err));
}

function firstLine(text) {
  return String(text).split('\n').find((l) => l.trim() !== '') ?? String(text);
}

/** Runs `fn` with a plain pg client connected to `database` on the same server. */
export async function withClient(conn, database, fn) {
  const client = new pg.Client({ ...conn.config, database });
  try {
    await client.connect();
  } catch (err) {
    throw new CliError(`cannot connect to Postgres at ${conn.config.host}:${conn.config.port}/${database}: ${describePgError(err)}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the target database when it does not exist yet. Returns true when it was created. */
export async function ensureDatabase(conn) {
  const { database } = conn.config;
  // Fast path: the database exists and is reachable.
  const probe = new pg.Client(conn.config);
  try {
    await probe.connect();
    await probe.end().catch(() => undefined);
    return false;
  } catch (err) {
    await probe.end().catch(() => undefined);
    if (/** @type {any} */ (err).code !== '3D000') {
      throw new CliError(`cannot connect to Postgres at ${conn.display}: ${describePgError(err)}`);
    }
  }
  const maintenanceDb = database === 'postgres' ? 'template1' : 'postgres';
  return withClient(conn, maintenanceDb, async (client) => {
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
      return true;
    } catch (err) {
      const code = /** @type {any} */ (err).code;
      // 42P04 duplicate_database / 23505: created concurrently by another process.
      if (code === '42P04' || code === '23505') return false;
      throw new CliError(`cannot create database "${database}": ${describePgError(err)}`);
    }
  });
}
