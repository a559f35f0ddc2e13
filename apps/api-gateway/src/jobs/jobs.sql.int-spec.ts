import { randomUUID } from 'node:crypto';
import { Job, Prisma, PrismaService } from '@conduit/db';
import { createTenantWithUser, removeTenants, TenantWithUser } from '@conduit/testing';
import { insertJob } from './jobs.sql';

jest.setTimeout(30_000);

/**
 * The submit INSERT (jobs.sql.ts) against Prisma's create of the same job: every column of the
 * stored rows, read back with `SELECT *` (so a column Prisma knows nothing of would be compared
 * too), must be equal but the id; and the row must be the job object the API answers with.
 */
describe('submit INSERT in plain SQL (real Postgres)', () => {
  let prisma: PrismaService;
  let alice: TenantWithUser;
  const tenants: { id: string }[] = [];

  /** A new job as JobsService.submit builds it. */
  const submitted = (overrides: Partial<Job> = {}): Job => {
    const now = new Date();
    return {
      id: randomUUID(),
      tenantId: alice.tenant.id,
      userId: alice.user.id,
      apiKeyId: randomUUID(),
      type: 'chat.completion',
      status: 'queued',
      input: { model: 'default', messages: [{ role: 'user', content: 'Hello — ünïcødé ✓' }], temperature: 0.25 },
      metadata: { batch: 'nightly' },
      webhookUrl: 'https://hooks.example.com/jobs',
      idempotencyKey: `key-${randomUUID()}`,
      requestHash: 'ab'.repeat(32),
      requestId: 'req-123',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      attempts: 0,
      maxAttempts: 5,
      itemsTotal: 0,
      itemsSucceeded: 0,
      itemsFailed: 0,
      result: null,
      error: null,
      upstreamMs: null,
      deadLetteredAt: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
      cancelledAt: null,
      deadlineAt: new Date(now.getTime() + 3_600_000),
      ...overrides,
    };
  };

  /** The same job through Prisma's ORM (JSON nulls spelled as Prisma wants them). */
  const prismaCreate = (job: Job) =>
    prisma.job.create({
      data: {
        ...job,
        input: job.input as Prisma.InputJsonValue,
        metadata: job.metadata as Prisma.InputJsonValue,
        result: Prisma.DbNull,
        error: Prisma.DbNull,
      },
    });

  const rawRow = async (id: string): Promise<Record<string, unknown>> => {
    const { rows } = await prisma.pg.query<Record<string, unknown>>('SELECT * FROM jobs WHERE id = $1', [id]);
    if (!rows[0]) throw new Error(`no job ${id}`);
    return rows[0];
  };

  beforeAll(async () => {
    prisma = new PrismaService({ url: process.env['DATABASE_URL'] ?? '', poolSize: 4 });
    await prisma.onModuleInit();
    alice = await createTenantWithUser(prisma);
    tenants.push(alice.tenant);
  });

  afterAll(async () => {
    if (prisma) {
      await removeTenants(prisma, tenants);
      await prisma.onApplicationShutdown();
    }
  });

  it.each([
    ['a chat job with every optional field', {}],
    ['a batch without webhook, key, API key or trace', { type: 'chat.batch', itemsTotal: 3, webhookUrl: null, idempotencyKey: null, apiKeyId: null, traceparent: null, metadata: {} }],
  ] as [string, Partial<Job>][])('stores %s with every column as Prisma stores it, and as the API answers it', async (_name, overrides) => {
    const job = submitted(overrides);
    const twin: Job = { ...job, id: randomUUID(), idempotencyKey: job.idempotencyKey === null ? null : `${job.idempotencyKey}-twin` };
    expect(await insertJob(prisma.pg, job)).toBe(true);
    await prismaCreate(twin);

    const [raw, reference] = [await rawRow(job.id), await rawRow(twin.id)];
    expect(Object.keys(raw).sort()).toEqual(Object.keys(reference).sort());
    for (const column of Object.keys(reference)) {
      if (column === 'id' || column === 'idempotency_key') continue;
      expect({ column, value: raw[column] }).toEqual({ column, value: reference[column] });
    }
    expect(raw['idempotency_key']).toBe(job.idempotencyKey);
    expect(raw['created_at']).toEqual(job.createdAt);
    expect(raw['updated_at']).toEqual(job.createdAt);
    // JobsService answers the submission from the object it inserted: it must be the stored row.
    expect(await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toEqual(job);
  });

  it('inserts nothing for an Idempotency-Key the user already used', async () => {
    const first = submitted();
    expect(await insertJob(prisma.pg, first)).toBe(true);
    const replay = submitted({ idempotencyKey: first.idempotencyKey, requestHash: 'cd'.repeat(32) });
    expect(await insertJob(prisma.pg, replay)).toBe(false);
    expect(await prisma.job.findUnique({ where: { id: replay.id } })).toBeNull();
    expect(await prisma.job.findUniqueOrThrow({ where: { id: first.id } })).toEqual(first);
  });

  it('stores every job that names no Idempotency-Key', async () => {
    const [a, b] = [submitted({ idempotencyKey: null }), submitted({ idempotencyKey: null })];
    expect(await insertJob(prisma.pg, a)).toBe(true);
    expect(await insertJob(prisma.pg, b)).toBe(true);
  });
});
