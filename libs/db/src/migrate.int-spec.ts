import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MIGRATE = path.join(ROOT, 'scripts', 'migrate.mjs');
const SCRATCH_DB = 'conduit_migrate_test';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function migrate(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MIGRATE, ...args], { cwd: ROOT, env, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const localMigrations = readdirSync(path.join(ROOT, 'prisma', 'migrations'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const testUrl = (): string => {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set (the integration globalSetup sets it)');
  return url;
};

describe('scripts/migrate.mjs', () => {
  const env = (url: string | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
    if (url === undefined) delete e['DATABASE_URL'];
    else e['DATABASE_URL'] = url;
    return e;
  };

  it('deploy is a no-op on an already migrated database', async () => {
    const url = testUrl();
    const before = await query<{ n: string }>(url, 'SELECT count(*)::text AS n FROM _prisma_migrations');

    const first = await migrate(['deploy'], env(url));
    const second = await migrate(['deploy'], env(url));

    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/No pending migrations/);
    const after = await query<{ n: string }>(url, 'SELECT count(*)::text AS n FROM _prisma_migrations');
    expect(after).toEqual(before);
  });

  it('status reports every migration as applied', async () => {
    const result = await migrate(['status'], env(testUrl()));
    expect(result.code).toBe(0);
    for (const name of localMigrations) expect(result.stdout).toMatch(new RegExp(`applied .* ${name}`));
    expect(result.stdout).toMatch(/up to date/);
  });

  it('fails with a one-line message when DATABASE_URL is missing', async () => {
    const result = await migrate(['deploy'], env(undefined));
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('migrate: DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/conduit)');
  });

  it('fails with a one-line message when Postgres cannot be reached', async () => {
    const result = await migrate(['deploy'], env('postgresql://postgres@127.0.0.1:1/conduit_test'));
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toMatch(/^migrate: cannot connect to Postgres at 127\.0\.0\.1:1\/conduit_test: .*refused/);
    expect(result.stderr.trim()).not.toContain('\n');
  });

  it('rejects unknown commands', async () => {
    const result = await migrate(['frobnicate'], env(testUrl()));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
  });

  describe('on a scratch database', () => {
    let scratchUrl: string;

    const dropScratch = () =>
      query(withDatabase(testUrl(), 'postgres'), `DROP DATABASE IF EXISTS "${SCRATCH_DB}" WITH (FORCE)`);

    beforeAll(async () => {
      scratchUrl = withDatabase(testUrl(), SCRATCH_DB);
      await dropScratch();
    });

    afterAll(async () => {
      await dropScratch();
    });

    it('deploy creates the database and applies every migration', async () => {
      const result = await migrate(['deploy'], env(scratchUrl));
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(`Created database "${SCRATCH_DB}"`);
      const rows = await query<{ migration_name: string }>(
        scratchUrl,
        'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
      );
      expect(rows.map((r) => r.migration_name)).toEqual(localMigrations);
    });

    it('reset refuses to run with NODE_ENV=production unless --force is given', async () => {
      const result = await migrate(['reset'], env(scratchUrl, { NODE_ENV: 'production' }));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/refusing to reset .*NODE_ENV=production.*--force/);
    });

    it('reset drops all data and leaves a fully migrated schema', async () => {
      await query(scratchUrl, `INSERT INTO tenants (id, name, slug, updated_at) VALUES (gen_random_uuid(), 'x', 'x', now())`);
      await query(scratchUrl, 'CREATE TABLE stray (id int)');

      const result = await migrate(['reset'], env(scratchUrl, { NODE_ENV: 'test' }));
      expect(result).toMatchObject({ code: 0, stderr: '' });

      expect(await query(scratchUrl, 'SELECT * FROM tenants')).toEqual([]);
      const tables = await query<{ table_name: string }>(
        scratchUrl,
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      const names = tables.map((t) => t.table_name);
      expect(names).not.toContain('stray');
      expect(names).toEqual(expect.arrayContaining(['_prisma_migrations', 'api_keys', 'messages', 'sessions', 'tenants', 'usage_events', 'users']));
      const rows = await query<{ migration_name: string; finished: boolean }>(
        scratchUrl,
        'SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(rows).toEqual(localMigrations.map((migration_name) => ({ migration_name, finished: true })));

      const status = await migrate(['status'], env(scratchUrl));
      expect(status.code).toBe(0);
    });

    it('diff --dry-run finds no difference between the migrations and schema.prisma', async () => {
      // Fails (exit 2, SQL on stdout) when schema.prisma changed without a new migration.
      const result = await migrate(['diff', '--dry-run'], env(scratchUrl));
      expect(result).toEqual({ code: 0, stderr: '', stdout: expect.stringMatching(/No schema changes/) });
    });
  });
});
