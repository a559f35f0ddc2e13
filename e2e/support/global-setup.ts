import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';

function run(script: string, args: string[], env: NodeJS.ProcessEnv): void {
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', script), ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    throw new Error(`global-setup: node scripts/${script} ${args.join(' ')} failed\n${output || e.message}`);
  }
}

/**
 * Jest globalSetup for the integration and e2e projects: makes sure the Prisma client is
 * generated and the test database exists and is fully migrated (via scripts/migrate.mjs,
 * which creates the database when missing), then exports the URLs for the test workers.
 * Costs well under a second when everything is already up to date.
 */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  process.env['DATABASE_URL'] = databaseUrl;
  process.env['REDIS_URL'] ||= DEFAULT_REDIS_URL;

  const env = { ...process.env, DATABASE_URL: databaseUrl };
  run('prisma-generate.mjs', [], env);
  run('migrate.mjs', ['deploy'], env);
}
