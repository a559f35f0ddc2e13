// `diff <name>`: write a new migration from the difference between the migrations and schema.prisma.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError, ensureDatabase } from './connection.mjs';
import { withEngine } from './engine.mjs';
import { listMigrations, LOCKFILE_CONTENT, LOCKFILE_NAME, migrationDirectoryName, MIGRATIONS_DIR, NO_FILTER, ROOT, SCHEMA_PATH } from './migrations.mjs';

/** Returns the exit code: 0, or 2 for `--dry-run` when there is SQL to write. */
export async function diff(conn, name, { empty, dryRun, usage }) {
  if (!name && !dryRun) throw new CliError(`missing migration name; ${usage}`);
  await ensureDatabase(conn);
  const migrationsList = await listMigrations();
  // The first migration: the lock file (written below) does not exist yet.
  migrationsList.lockfile.content ??= LOCKFILE_CONTENT;
  // `createMigration` of the wasm engine cannot get a shadow database from a
  // driver adapter, but `diff` can: migrations (replayed on a shadow database)
  // -> schema.prisma renders the same script `prisma migrate dev --create-only` writes.
  const result = await withEngine(conn, (engine, schema) =>
    engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: schema }] },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    }),
  );
  const hasChanges = result.exitCode === 2;
  if (dryRun) {
    if (!hasChanges) {
      console.log('No schema changes: prisma/schema.prisma matches the migrations.');
      return 0;
    }
    process.stdout.write(result.stdout ?? '');
    return 2;
  }
  if (!hasChanges && !empty) {
    console.log('No schema changes: prisma/schema.prisma matches the migrations. Nothing written (use --empty for a custom SQL migration).');
    return 0;
  }
  const script = hasChanges ? result.stdout ?? '' : '-- This is an empty migration.';
  const dirName = migrationDirectoryName(name);
  const dir = path.join(MIGRATIONS_DIR, dirName);
  if (existsSync(dir)) throw new CliError(`the migration directory already exists at ${dir}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), script, 'utf8');
  await writeFile(path.join(MIGRATIONS_DIR, LOCKFILE_NAME), LOCKFILE_CONTENT, 'utf8');
  console.log(`Created ${path.relative(ROOT, path.join(dir, 'migration.sql'))}`);
  console.log('Review it, then apply it with: node scripts/migrate.mjs deploy');
  return 0;
}
