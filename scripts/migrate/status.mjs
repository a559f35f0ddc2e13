// `status`: applied and pending migrations; exit 1 when the database is not up to date.
import { quoteIdent, withClient } from './connection.mjs';
import { listMigrations } from './migrations.mjs';

export async function status(conn) {
  const migrationsList = await listMigrations();
  const local = migrationsList.migrationDirectories.map((d) => d.path);
  const rows = await withClient(conn, conn.config.database, async (client) => {
    const table = `${quoteIdent(conn.schema)}."_prisma_migrations"`;
    const exists = await client.query('SELECT to_regclass($1) AS t', [table]);
    if (!exists.rows[0].t) return [];
    const res = await client.query(
      `SELECT migration_name, finished_at, rolled_back_at FROM ${table} ORDER BY started_at, migration_name`,
    );
    return res.rows;
  });
  const applied = new Map();
  const failed = new Set();
  for (const row of rows) {
    if (row.rolled_back_at) continue;
    if (row.finished_at) applied.set(row.migration_name, row.finished_at);
    else failed.add(row.migration_name);
  }
  console.log(`${local.length} migration(s) in prisma/migrations, database ${conn.display}:`);
  for (const name of local) {
    const state = applied.has(name) ? `applied ${new Date(applied.get(name)).toISOString()}` : failed.has(name) ? 'FAILED' : 'pending';
    console.log(`  ${state.padEnd(32)} ${name}`);
  }
  const unknown = [...applied.keys(), ...failed].filter((n) => !local.includes(n));
  for (const name of unknown) console.log(`  ${'applied, missing locally'.padEnd(32)} ${name}`);
  const pending = local.filter((n) => !applied.has(n));
  if (failed.size > 0) {
    console.log(`Failed migration(s): ${[...failed].join(', ')}. Fix the database, then mark it rolled back or re-run.`);
    return 1;
  }
  if (unknown.length > 0) {
    console.log('The database has migrations that are not in prisma/migrations (histories diverge).');
    return 1;
  }
  if (pending.length > 0) {
    console.log(`${pending.length} pending migration(s). Run: node scripts/migrate.mjs deploy`);
    return 1;
  }
  console.log('Database schema is up to date.');
  return 0;
}
