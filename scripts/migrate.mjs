#!/usr/bin/env node
/**
 * Conduit migration command (plain Node ESM, no TypeScript).
 *
 * Uses Prisma's own schema engine compiled to WebAssembly
 * (@prisma/schema-engine-wasm) over the node-postgres driver adapter
 * (@prisma/adapter-pg), so it needs no native engine binary. Migrations are
 * read from prisma/migrations and recorded in `_prisma_migrations` exactly as
 * `prisma migrate deploy` records them, so containers can keep using the
 * regular Prisma CLI against the same database.
 *
 * Usage:
 *   node scripts/migrate.mjs deploy              apply pending migrations (creates the database if missing)
 *   node scripts/migrate.mjs status              list applied / pending migrations (exit 1 when not up to date)
 *   node scripts/migrate.mjs reset [--force]     drop + recreate the project's schemas, then deploy
 *   node scripts/migrate.mjs diff <name> [--empty]
 *                                                write prisma/migrations/<timestamp>_<name>/migration.sql from the
 *                                                difference between the migrations and prisma/schema.prisma
 *                                                (--empty: write an empty migration for hand-written SQL)
 *   node scripts/migrate.mjs diff --dry-run      print that SQL without writing anything (exit 2 when there is some)
 *   node scripts/migrate.mjs resolve --rolled-back|--applied <migration>
 *                                                recover from a failed migration (as `prisma migrate resolve`)
 *
 * Environment: DATABASE_URL (required), MIGRATE_VERBOSE=1 (engine logs on stderr).
 *
 * The parts, in scripts/migrate/: connection.mjs (DATABASE_URL, pg clients, creating the
 * database), adapter.mjs (the driver adapter tweaks the engine needs), shadow-database.mjs (the
 * throw-away database `diff` replays migrations on), engine.mjs (loading and running the
 * WebAssembly engine), migrations.mjs (the schema and migrations directory), and one file per
 * command: deploy.mjs, status.mjs, reset.mjs, diff.mjs, resolve.mjs.
 */
import { CliError, parseDatabaseUrl } from './migrate/connection.mjs';
import { deploy } from './migrate/deploy.mjs';
import { diff } from './migrate/diff.mjs';
import { cleanEngineMessage } from './migrate/engine.mjs';
import { reset } from './migrate/reset.mjs';
import { resolve } from './migrate/resolve.mjs';
import { status } from './migrate/status.mjs';

const USAGE =
  'usage: node scripts/migrate.mjs <deploy | status | reset [--force] | diff <name> [--empty] | diff --dry-run | resolve --rolled-back|--applied <migration>>';

async function main(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const [command, ...rest] = argv.filter((a) => !a.startsWith('--'));
  if (flags.has('--help')) {
    console.log(USAGE);
    return 0;
  }
  if (!command) throw new CliError(USAGE);
  if (!['deploy', 'status', 'reset', 'diff', 'resolve'].includes(command)) throw new CliError(`unknown command "${command}"; ${USAGE}`);
  const conn = parseDatabaseUrl(process.env.DATABASE_URL);
  switch (command) {
    case 'deploy':
      await deploy(conn);
      return 0;
    case 'reset':
      await reset(conn, flags.has('--force'));
      return 0;
    case 'diff':
      return diff(conn, rest[0], { empty: flags.has('--empty'), dryRun: flags.has('--dry-run'), usage: USAGE });
    case 'status':
      return status(conn);
    case 'resolve':
      await resolve(conn, rest[0], flags, USAGE);
      return 0;
    default:
      return 1;
  }
}

const commandName = process.argv.slice(2).find((a) => !a.startsWith('--'));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const message = err instanceof CliError ? err.message : cleanEngineMessage(err && err.message ? err.message : err);
    console.error(`migrate${commandName && !(err instanceof CliError) ? ` ${commandName}` : ''}: ${message}`);
    process.exit(1);
  },
);
