// `resolve --rolled-back|--applied <migration>`: recover from a failed migration, as `prisma migrate resolve`.
import { CliError } from './connection.mjs';
import { withEngine } from './engine.mjs';
import { listMigrations } from './migrations.mjs';

export async function resolve(conn, name, flags, usage) {
  const rolledBack = flags.has('--rolled-back');
  if (!name || rolledBack === flags.has('--applied')) throw new CliError(`resolve needs a migration name and exactly one of --rolled-back / --applied; ${usage}`);
  const migrationsList = await listMigrations();
  await withEngine(conn, (engine) =>
    rolledBack
      ? engine.markMigrationRolledBack({ migrationName: name })
      : engine.markMigrationApplied({ migrationName: name, migrationsList }),
  );
  console.log(`Marked ${name} as ${rolledBack ? 'rolled back' : 'applied'} on ${conn.display}.`);
}
