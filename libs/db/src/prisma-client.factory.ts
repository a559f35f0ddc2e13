import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import type { DbModuleOptions } from './db.constants';

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

/**
 * Builds the node-postgres driver adapter factory for a connection URL.
 * Prisma-style `?schema=name` is honoured (the pg driver itself ignores it).
 */
export function createPgAdapter(options: DbModuleOptions): PrismaPg {
  if (!options.url) throw new Error('database url is empty (set DATABASE_URL)');
  let schema: string | undefined;
  try {
    schema = new URL(options.url).searchParams.get('schema') ?? undefined;
  } catch {
    throw new Error('database url is not a valid URL');
  }
  return new PrismaPg(
    {
      connectionString: options.url,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      ...(options.applicationName ? { application_name: options.applicationName } : {}),
    },
    schema && schema !== 'public' ? { schema } : undefined,
  );
}

/**
 * A Prisma client for scripts and CLIs that do not use Nest. The caller owns it:
 * `await client.$disconnect()` when done.
 */
export function createPrismaClient(url: string, poolSize = DEFAULT_POOL_SIZE): PrismaClient {
  return new PrismaClient({ adapter: createPgAdapter({ url, poolSize }) });
}
