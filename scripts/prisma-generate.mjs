#!/usr/bin/env node
/**
 * Generates the Prisma client into libs/db/src/generated (runs as `postinstall`
 * and `npm run db:generate`).
 *
 * - `prisma generate` never runs the schema engine, but without
 *   PRISMA_SCHEMA_ENGINE_BINARY it tries to download one (and fails offline), so
 *   it is pointed at a harmless executable unless the caller set it.
 * - Needs no DATABASE_URL (prisma.config.ts tolerates it being unset).
 * - Quiet on success; prints Prisma's output and exits non-zero on failure.
 * - Idempotent and fast: skipped when the schema and Prisma version are unchanged
 *   since the last run (pass --force to regenerate anyway).
 * - Skipped with a notice when the Prisma CLI is not installed (e.g. `npm ci --omit=dev`).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const OUTPUT = path.join(ROOT, 'libs', 'db', 'src', 'generated');
const STAMP = path.join(OUTPUT, '.generated-from');
const PRISMA_PKG = path.join(ROOT, 'node_modules', 'prisma', 'package.json');
const PRISMA_BIN = path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'prisma.cmd' : 'prisma');

if (!existsSync(PRISMA_BIN) || !existsSync(PRISMA_PKG)) {
  console.log('prisma-generate: Prisma CLI not installed, skipping client generation.');
  process.exit(0);
}

const prismaVersion = JSON.parse(readFileSync(PRISMA_PKG, 'utf8')).version;
const fingerprint = createHash('sha256')
  .update(`prisma@${prismaVersion}\n`)
  .update(readFileSync(SCHEMA))
  .update(readFileSync(path.join(ROOT, 'prisma.config.ts')))
  .digest('hex');

const force = process.argv.includes('--force');
const upToDate =
  existsSync(path.join(OUTPUT, 'client.ts')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === fingerprint;
if (upToDate && !force) process.exit(0);

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || (process.platform === 'win32' ? process.execPath : '/bin/true'),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};

const result = spawnSync(PRISMA_BIN, ['generate', '--schema', SCHEMA], { cwd: ROOT, env, encoding: 'utf8' });
if (result.error || result.status !== 0) {
  process.stderr.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  console.error(`prisma-generate: prisma generate failed${result.error ? `: ${result.error.message}` : ` (exit ${result.status})`}`);
  process.exit(1);
}
writeFileSync(STAMP, `${fingerprint}\n`);
