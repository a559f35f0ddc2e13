import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, PoolConfig } from 'pg';
import { PrismaClient } from './generated/client';
import type { DbModuleOptions } from './db.constants';

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

/** The `?schema=` of a Prisma-style URL (the pg driver itself ignores it), or undefined for public. */
function schemaOf(url: string): string | undefined {
  if (!url) throw new Error('database url is empty (set DATABASE_URL)');
  let schema: string | null;
  try {
    schema = new URL(url).searchParams.get('schema');
  } catch {
    throw new Error('database url is not a valid URL');
  }
  return schema && schema !== 'public' ? schema : undefined;
}

/**
 * The node-postgres pool for a connection URL. Prisma (through its driver adapter) and the few raw
 * SQL statements on hot paths ({@link PrismaService.pg}) share it. A Prisma-style `?schema=name`
 * becomes the connections' search_path, so raw SQL sees the same tables as Prisma.
 */
export function createPgPool(options: DbModuleOptions): Pool {
  return new Pool(poolConfig(options));
}

function poolConfig(options: DbModuleOptions): PoolConfig {
  const schema = schemaOf(options.url);
  return {
    connectionString: options.url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
    ...(schema ? { options: `-c search_path="${schema.replace(/"/g, '""')}"` } : {}),
  };
}

/**
 * The Prisma driver adapter (schema-qualified like the URL): over `pool` when given (the caller
 * ends it), otherwise over a pool of its own that `$disconnect()` ends.
 */
export function createPgAdapter(options: DbModuleOptions, pool?: Pool): PrismaPg {
  const schema = schemaOf(options.url);
  return new PrismaPg(pool ?? poolConfig(options), schema ? { schema } : undefined);
}

/**
 * Interactive transactions wait for a pool connection as long as any other query does (Prisma's
 * own default, 2 s, gave up sooner than the pool's connection timeout under load), and may run for
 * 30 s before Prisma aborts them.
 */
export function transactionOptionsFor(options: Pick<DbModuleOptions, 'connectionTimeoutMs'>): { maxWait: number; timeout: number } {
  return { maxWait: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS, timeout: 30_000 };
}

/**
 * A Prisma client for scripts and CLIs that do not use Nest. The caller owns it:
 * `await client.$disconnect()` when done.
 */
export function createPrismaClient(url: string, poolSize = DEFAULT_POOL_SIZE): PrismaClient {
  return new PrismaClient({ adapter: createPgAdapter({ url, poolSize }), transactionOptions: transactionOptionsFor({}) });
}
