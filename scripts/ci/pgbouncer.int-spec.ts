import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { PgBlobStore } from '@conduit/blob-store';
import { createPrismaClient, type PrismaClient } from '@conduit/db';
import { PgVectorStore, vectorSpaceFor } from '@conduit/vector-store';
import { removeTenantIds } from '@conduit/testing';

/*
 * PgBouncer in transaction mode (the Debian `pgbouncer` package; .ci/run installs it) in front of
 * the test Postgres: every statement of a representative set of store operations goes through it —
 * Prisma with the pg driver adapter (CRUD, an interactive transaction with a row lock, raw SQL),
 * node-postgres pools as the hot-path stores use them, the pgvector store (advisory-locked DDL,
 * `SET LOCAL` searches, batched upserts) and the Postgres blob store. None may rely on session
 * state or named prepared statements, which transaction pooling does not keep; the last test shows
 * this tier would notice one. Settings: docs/deployment.md, "PgBouncer".
 */
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';

function pgbouncerBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  return ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((candidate) => existsSync(candidate));
}

const binary = pgbouncerBinary();
if (!binary) process.stderr.write('pgbouncer.int-spec: pgbouncer is not installed (apt-get install pgbouncer): PgBouncer tests skipped\n');
const describeWithPgBouncer = binary ? describe : describe.skip;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** Room for interactive transactions on a loaded machine: Prisma's 2 s default wait for a connection is too short when CI shares its two cores. */
const TX_ROOM = { maxWait: 30_000, timeout: 30_000 };

describeWithPgBouncer('PgBouncer in transaction mode in front of Postgres', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'conduit-pgbouncer-'));
  let bouncer: ChildProcess;
  let bouncedUrl: string;
  let prisma: PrismaClient;
  const tenantIds: string[] = [];

  beforeAll(async () => {
    const upstream = new URL(databaseUrl);
    const port = await freePort();
    const user = decodeURIComponent(upstream.username || 'postgres');
    writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" "${decodeURIComponent(upstream.password)}"\n`);
    writeFileSync(
      path.join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        `auth_type = ${upstream.password ? 'plain' : 'trust'}`,
        `auth_file = ${path.join(dir, 'userlist.txt')}`,
        'pool_mode = transaction',
        // Few server connections for many clients: transactions of different clients really share them.
        'default_pool_size = 3',
        'max_client_conn = 200',
        'ignore_startup_parameters = extra_float_digits',
        `logfile = ${path.join(dir, 'pgbouncer.log')}`,
        '',
      ].join('\n'),
    );
    // PgBouncer refuses to run as root; it drops to the postgres user when started as root.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      chmodSync(dir, 0o777);
      for (const file of ['pgbouncer.ini', 'userlist.txt']) chmodSync(path.join(dir, file), 0o644);
    }
    bouncer = spawn(binary as string, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (!(await listening(port))) {
      if (bouncer.exitCode !== null || Date.now() > deadline) {
        const log = existsSync(path.join(dir, 'pgbouncer.log')) ? readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : '';
        throw new Error(`pgbouncer did not start (exit ${bouncer.exitCode}): ${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const bounced = new URL(databaseUrl);
    bounced.hostname = '127.0.0.1';
    bounced.port = String(port);
    bounced.search = '';
    bouncedUrl = bounced.toString();
    prisma = createPrismaClient(bouncedUrl, 8);
  }, 60_000);

  afterAll(async () => {
    if (prisma && tenantIds.length > 0) await removeTenantIds(prisma, tenantIds);
    await prisma?.$disconnect();
    if (bouncer && bouncer.exitCode === null) {
      await new Promise<void>((resolve) => {
        bouncer.once('exit', () => resolve());
        bouncer.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves Prisma: creates, reads, an interactive transaction with a row lock and raw SQL, many at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, n) => {
        const tag = randomUUID().slice(0, 8);
        const tenant = await prisma.tenant.create({ data: { name: `Bouncer ${n}`, slug: `bouncer-${tag}` } });
        tenantIds.push(tenant.id);
        const user = await prisma.user.create({ data: { tenantId: tenant.id, email: `b-${tag}@example.test` } });
        const renamed = await prisma.$transaction(async (tx) => {
          const rows = await tx.$queryRaw<{ name: string }[]>`SELECT name FROM tenants WHERE id = ${tenant.id}::uuid FOR UPDATE`;
          await tx.tenant.update({ where: { id: tenant.id }, data: { name: `${rows[0].name} renamed` } });
          return tx.tenant.findUniqueOrThrow({ where: { id: tenant.id } });
        }, TX_ROOM);
        const users = await prisma.user.count({ where: { tenantId: tenant.id } });
        return { renamed: renamed.name, users, userId: user.id };
      }),
    );
    results.forEach((result, n) => expect(result).toMatchObject({ renamed: `Bouncer ${n} renamed`, users: 1 }));
  });

  it('rolls back a failed interactive transaction without leaking its state to the next client', async () => {
    const tag = randomUUID().slice(0, 8);
    await expect(
      prisma.$transaction(async (tx) => {
        const tenant = await tx.tenant.create({ data: { name: 'Rolled back', slug: `rb-${tag}` } });
        await tx.$executeRaw`SET LOCAL statement_timeout = '1s'`;
        throw new Error(`abort ${tenant.id}`);
      }, TX_ROOM),
    ).rejects.toThrow(/abort/);
    expect(await prisma.tenant.findFirst({ where: { slug: `rb-${tag}` } })).toBeNull();
    const [{ timeout }] = await prisma.$queryRaw<{ timeout: string }[]>`SELECT current_setting('statement_timeout') AS timeout`;
    expect(timeout).not.toBe('1s');
  });

  it('serves node-postgres pools with parameterised (unnamed) statements, as the hot-path stores send them', async () => {
    const pool = new Pool({ connectionString: bouncedUrl, max: 10 });
    try {
      const sums = await Promise.all(Array.from({ length: 60 }, (_, n) => pool.query<{ s: number }>('SELECT $1::int + $2::int AS s', [n, 1])));
      expect(sums.map((r) => r.rows[0].s)).toEqual(Array.from({ length: 60 }, (_, n) => n + 1));
    } finally {
      await pool.end();
    }
  });

  it('serves the pgvector store: DDL under an advisory lock, batched upserts, SET LOCAL searches, counts and deletes', async () => {
    const store = new PgVectorStore({ connectionString: bouncedUrl, poolSize: 4 });
    const space = vectorSpaceFor(`bouncer-${randomUUID().slice(0, 6)}`, 8);
    const tenantId = randomUUID();
    const documentId = randomUUID();
    try {
      await Promise.all([store.ensureSpace(space), store.ensureSpace(space)]);
      const points = Array.from({ length: 40 }, (_, n) => ({
        id: randomUUID(),
        vector: Array.from({ length: 8 }, (_, d) => (d === n % 8 ? 1 : 0.01)),
        payload: { tenant_id: tenantId, document_id: documentId, collection: 'kb', chunk_index: n, text: `chunk ${n}`, start_offset: 0, end_offset: 1 },
      }));
      await store.upsert(space, points);
      const searches = await Promise.all(Array.from({ length: 8 }, (_, d) => store.search(space, Array.from({ length: 8 }, (_, i) => (i === d ? 1 : 0)), { tenantId, limit: 5 })));
      searches.forEach((hits, d) => {
        expect(hits).toHaveLength(5);
        expect(hits.every((hit) => hit.payload.chunk_index % 8 === d)).toBe(true);
      });
      expect(await store.countDocument(space, tenantId, documentId)).toBe(40);
      await store.deleteDocument(space, tenantId, documentId);
      expect(await store.countDocument(space, tenantId, documentId)).toBe(0);
    } finally {
      await store.dropSpace(space).catch(() => undefined);
      await store.close();
    }
  });

  it('serves the Postgres blob store', async () => {
    const blobs = new PgBlobStore(bouncedUrl, 3);
    const key = `bouncer/${randomUUID()}`;
    try {
      await blobs.put(key, Buffer.from('through the bouncer'));
      expect((await blobs.get(key)).toString()).toBe('through the bouncer');
      await blobs.delete(key);
    } finally {
      await blobs.close();
    }
  });

  it('would notice a named prepared statement: transaction pooling loses it on another server connection', async () => {
    const holder = new Pool({ connectionString: bouncedUrl, max: 1 });
    const named = new Pool({ connectionString: bouncedUrl, max: 1 });
    try {
      await named.query({ name: 'conduit-named', text: 'SELECT 1 AS one' });
      // Another client holds that server connection in a transaction: the next statement of
      // `named` runs on another one, where its prepared statement does not exist.
      const held = await holder.connect();
      await held.query('BEGIN');
      await held.query('SELECT 1');
      const outcome = await named.query({ name: 'conduit-named', text: 'SELECT 1 AS one' }).then(
        () => 'ok',
        (error: Error) => error.message,
      );
      await held.query('COMMIT');
      held.release();
      expect(outcome).toMatch(/prepared statement .*does not exist/);
    } finally {
      await holder.end();
      await named.end();
    }
  });
});
