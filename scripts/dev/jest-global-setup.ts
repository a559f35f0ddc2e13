import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ensureServices } from './services.cjs';

const ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';

/**
 * What the teardown stops: containers this run started, kept on globalThis (shared with the
 * teardown). Jest runs this setup once per project that names it: the first one starts what is
 * missing, the next ones find it reachable.
 */
export const STARTED = Symbol.for('conduit.test.services');
type WithStarted = typeof globalThis & { [STARTED]?: { stop(): Promise<void> }[] };

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
 * Jest globalSetup for the integration and e2e projects: finds Postgres and Redis (or starts them:
 * in containers where a Docker engine runs, else the local servers; see scripts/dev/services.cjs),
 * makes sure the Prisma client is generated and the test database exists and is fully migrated
 * (scripts/migrate.mjs creates it when missing), then exports the URLs for the test workers (and
 * the services the e2e tests start). Costs well under a second when everything is already up.
 */
export default async function globalSetup(): Promise<void> {
  const services = await ensureServices({
    databaseUrl: process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL,
    redisUrl: process.env['REDIS_URL'] || DEFAULT_REDIS_URL,
    purpose: 'test',
    log: (line) => process.stdout.write(`[services] ${line}\n`),
  });
  const state = globalThis as WithStarted;
  state[STARTED] = [...(state[STARTED] ?? []), services];
  process.env['DATABASE_URL'] = services.databaseUrl;
  process.env['REDIS_URL'] = services.redisUrl;

  const env = { ...process.env };
  run('prisma-generate.mjs', [], env);
  run('migrate.mjs', ['deploy'], env);
}
