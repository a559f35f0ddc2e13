// The shadow database `diff` replays the migrations on: a throw-away database on the same server.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { patchAdapter } from './adapter.mjs';
import { quoteIdent, withClient } from './connection.mjs';

const require = createRequire(import.meta.url);
const { PrismaPg } = require('@prisma/adapter-pg');

/**
 * Creates `prisma_migrate_shadow_db_<uuid>` and connects an adapter to it; disposing the adapter
 * drops the database again (the driver adapter cannot give the engine one of its own).
 */
export async function openShadowDatabase(conn, poolConfig) {
  const database = `prisma_migrate_shadow_db_${randomUUID()}`;
  await withClient(conn, conn.config.database, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
  const shadow = new PrismaPg({ ...poolConfig, database }, conn.schema !== 'public' ? { schema: conn.schema } : undefined);
  return patchAdapter(await shadow.connect(), () =>
    // The shadow pool is closed by the original dispose(); FORCE guards against stragglers.
    withClient(conn, conn.config.database, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`)),
  );
}
