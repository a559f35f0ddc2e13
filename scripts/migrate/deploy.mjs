// `deploy`: apply pending migrations (creating the database when missing), as `prisma migrate deploy`.
import { ensureDatabase } from './connection.mjs';
import { withEngine } from './engine.mjs';
import { listMigrations, NO_FILTER } from './migrations.mjs';

export async function deploy(conn) {
  if (await ensureDatabase(conn)) console.log(`Created database "${conn.config.database}" at ${conn.config.host}:${conn.config.port}`);
  const migrationsList = await listMigrations();
  const { appliedMigrationNames } = await withEngine(conn, (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTER }));
  if (appliedMigrationNames.length === 0) {
    console.log(`No pending migrations (${migrationsList.migrationDirectories.length} found) on ${conn.display}.`);
  } else {
    console.log(`Applied ${appliedMigrationNames.length} migration(s) to ${conn.display}:`);
    for (const name of appliedMigrationNames) console.log(`  ${name}`);
  }
}
