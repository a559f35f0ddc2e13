import { Redis } from 'ioredis';
import { Job, Prisma, PrismaService } from '@conduit/db';
import { FinishJob, JobLifecycle } from '@conduit/jobs';
import { JobProducer } from '@conduit/queue';
import { chatInput, createJobRow, createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { finishJob } from '@conduit/jobs';
import { claimJob, requeueJob } from './job.sql';

jest.setTimeout(30_000);

type Field = keyof Job;

/**
 * The worker's job statements (job.sql.ts) against the Prisma calls they replaced, on twin rows:
 * the same starting row, one changed by the SQL and one by Prisma, compared field by field.
 */
describe('job statements in plain SQL (real Postgres): the same rows as the Prisma calls they replaced', () => {
  let prisma: PrismaService;
  let redis: Redis;
  let lifecycle: JobLifecycle;
  let owner: TestOwner;
  const owners: TestOwner[] = [];

  /** The claim as job.runner.ts made it with Prisma. */
  const prismaClaim = async (job: Pick<Job, 'id' | 'tenantId'>): Promise<Job | null> => {
    const [claimed] = await prisma.job.updateManyAndReturn({
      where: { id: job.id, tenantId: job.tenantId, status: { in: ['queued', 'running'] } },
      data: { status: 'running', attempts: { increment: 1 }, startedAt: new Date() },
    });
    return claimed ?? null;
  };
  const row = (id: string) => prisma.job.findUniqueOrThrow({ where: { id } });

  /** Two jobs equal in every column but the id (timestamps included). */
  const twins = async (overrides: Partial<Prisma.JobUncheckedCreateInput> = {}): Promise<[Job, Job]> => {
    const created = new Date(Date.now() - 5_000);
    const same: Partial<Prisma.JobUncheckedCreateInput> = {
      input: chatInput('Twin'),
      metadata: { batch: 'nightly', 'ünï': 'cødé' },
      webhookUrl: null,
      requestId: 'req-twin',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      createdAt: created,
      updatedAt: created,
      deadlineAt: new Date(created.getTime() + 600_000),
      ...overrides,
    };
    return [await createJobRow(prisma, owner, same), await createJobRow(prisma, owner, same)];
  };

  /**
   * `actual` has exactly the fields of `expected`, with equal values (and types: a Date stays a
   * Date, a number a number), except `id` and the `recent` fields: those were stamped "now" by
   * each side separately, so they must both be set (or both null) and lie within the test's window.
   */
  const expectSameRow = (actual: Job, expected: Job, recent: Field[], since: Date) => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const field of Object.keys(expected) as Field[]) {
      if (field === 'id') continue;
      const [a, e] = [actual[field], expected[field]];
      if (recent.includes(field) && e !== null) {
        expect({ field, isDate: a instanceof Date }).toEqual({ field, isDate: true });
        expect({ field, inWindow: (a as Date).getTime() >= since.getTime() - 1 && (a as Date).getTime() <= Date.now() }).toEqual({ field, inWindow: true });
      } else {
        expect({ field, value: a }).toEqual({ field, value: e });
      }
    }
  };

  beforeAll(async () => {
    prisma = new PrismaService({ url: process.env['DATABASE_URL'] ?? '', poolSize: 8 });
    await prisma.onModuleInit();
    // JobLifecycle.finish (the Prisma reference) only touches the queue for jobs with a webhook; none here has one.
    redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0', { lazyConnect: true });
    lifecycle = new JobLifecycle(prisma, new JobProducer(redis, { redisUrl: '', prefix: 'test-job-sql' }));
    owner = await createOwner(prisma);
    owners.push(owner);
  });

  afterAll(async () => {
    if (prisma) {
      await removeOwners(prisma, owners);
      await prisma.onApplicationShutdown();
    }
    redis?.disconnect();
  });

  describe('claim', () => {
    it('claims a queued job: the same row as Prisma returned, and exactly what is stored', async () => {
      const [a, b] = await twins({ apiKeyId: '5d7a1e1e-8f7e-4a43-9d3c-2b6a0c1e9f10', idempotencyKey: null, itemsTotal: 2, maxAttempts: 4 });
      const since = new Date();
      const claimed = await claimJob(prisma.pg, { jobId: a.id, tenantId: a.tenantId });
      const reference = await prismaClaim(b);
      if (!claimed || !reference) throw new Error('both claims should have matched');
      expect(claimed).toMatchObject({ id: a.id, status: 'running', attempts: 1 });
      expectSameRow(claimed, reference, ['startedAt', 'updatedAt'], since);
      expect(claimed.startedAt).toEqual(claimed.updatedAt);
      expect(await row(a.id)).toEqual(claimed);
    });

    it('claims a running job again (its worker died), counting the execution', async () => {
      const started = new Date(Date.now() - 60_000);
      const [a, b] = await twins({ status: 'running', attempts: 2, startedAt: started, error: { code: 'upstream_unavailable', message: 'earlier' } });
      const since = new Date();
      const claimed = await claimJob(prisma.pg, { jobId: a.id, tenantId: a.tenantId });
      const reference = await prismaClaim(b);
      if (!claimed || !reference) throw new Error('both claims should have matched');
      expect(claimed).toMatchObject({ status: 'running', attempts: 3, error: { code: 'upstream_unavailable', message: 'earlier' } });
      expectSameRow(claimed, reference, ['startedAt', 'updatedAt'], since);
    });

    it.each(['succeeded', 'failed', 'cancelled', 'expired'] as const)('claims nothing of a %s job and leaves it untouched', async (status) => {
      const [a, b] = await twins({ status, attempts: 1, finishedAt: new Date(), result: status === 'succeeded' ? { object: 'chat.completion' } : Prisma.DbNull });
      const before = await row(a.id);
      expect(await claimJob(prisma.pg, { jobId: a.id, tenantId: a.tenantId })).toBeNull();
      expect(await prismaClaim(b)).toBeNull();
      expect(await row(a.id)).toEqual(before);
    });

    it("claims nothing of another tenant's job, nor of a job that does not exist", async () => {
      const other = await createOwner(prisma);
      owners.push(other);
      const job = await createJobRow(prisma, owner);
      expect(await claimJob(prisma.pg, { jobId: job.id, tenantId: other.tenantId })).toBeNull();
      expect(await claimJob(prisma.pg, { jobId: '00000000-0000-4000-8000-000000000000', tenantId: owner.tenantId })).toBeNull();
      expect(await row(job.id)).toMatchObject({ status: 'queued', attempts: 0, startedAt: null });
    });

    it('serialises concurrent claims of one job on its row: each counts exactly once, none is lost', async () => {
      // Like Prisma's updateManyAndReturn: queued OR running is claimable, so every claim matches;
      // BullMQ's job lock is what keeps two workers from running one job.
      const job = await createJobRow(prisma, owner);
      const claims = await Promise.all(Array.from({ length: 8 }, () => claimJob(prisma.pg, { jobId: job.id, tenantId: job.tenantId })));
      expect(claims.map((c) => c?.attempts ?? 0).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await row(job.id)).attempts).toBe(8);
    });

    it('loses to a cancellation that commits first, and a cancellation after it still wins once', async () => {
      const job = await createJobRow(prisma, owner);
      const [claimed, cancelled] = await Promise.all([
        claimJob(prisma.pg, { jobId: job.id, tenantId: job.tenantId }),
        finishJob(prisma.pg, job.id, { status: 'cancelled', from: ['queued', 'running'] }),
      ]);
      // Whatever the order, the cancellation wins exactly once and the job ends cancelled.
      expect(cancelled).toMatchObject({ status: 'cancelled' });
      const stored = await row(job.id);
      expect(stored.status).toBe('cancelled');
      expect(stored.attempts).toBe(claimed ? 1 : 0);
    });
  });

  describe('finish', () => {
    const running = { status: 'running' as const, attempts: 1, startedAt: new Date(Date.now() - 2_000), error: { code: 'upstream_unavailable', message: 'earlier attempt' } };
    const updates: [string, FinishJob, Field[]][] = [
      ['succeeded with a result and upstream time', { status: 'succeeded', from: ['running'], result: { object: 'chat.completion', choices: [{ index: 0 }] }, upstreamMs: 42 }, []],
      [
        'failed for good, dead-lettered, with a partial result',
        { status: 'failed', from: ['running'], error: { code: 'upstream_unavailable', message: 'down' }, deadLettered: true, result: { object: 'list', data: [] } },
        ['deadLetteredAt'],
      ],
      ['failed without retry', { status: 'failed', from: ['running'], error: { code: 'upstream_rejected', message: 'no' } }, []],
      ['cancelled', { status: 'cancelled', from: ['queued', 'running'] }, ['cancelledAt']],
      ['expired', { status: 'expired', from: ['queued', 'running'], error: { code: 'deadline_exceeded', message: 'late' } }, []],
    ];

    it.each(updates)('%s: the same row as JobLifecycle.finish (Prisma) wrote', async (_name, update, stamped) => {
      const [a, b] = await twins(running);
      const since = new Date();
      const finished = await finishJob(prisma.pg, a.id, update);
      const reference = await lifecycle.finish(b, update);
      if (!finished || !reference) throw new Error('both finishes should have matched');
      expect(finished.status).toBe(update.status);
      expectSameRow(finished, reference, ['finishedAt', 'updatedAt', ...stamped], since);
      for (const field of ['cancelledAt', 'deadLetteredAt'] as const) expect({ field, set: finished[field] !== null }).toEqual({ field, set: stamped.includes(field) });
      expect(await row(a.id)).toEqual(finished);
    });

    it('leaves the result and upstream time of an earlier write alone when the update names none', async () => {
      const [a, b] = await twins({ ...running, result: { partial: true }, upstreamMs: 7, deadLetteredAt: new Date(Date.now() - 1_000) });
      const update: FinishJob = { status: 'failed', from: ['running'] };
      const since = new Date();
      const finished = await finishJob(prisma.pg, a.id, update);
      const reference = await lifecycle.finish(b, update);
      if (!finished || !reference) throw new Error('both finishes should have matched');
      expect(finished).toMatchObject({ result: { partial: true }, upstreamMs: 7, error: null });
      expectSameRow(finished, reference, ['finishedAt', 'updatedAt'], since);
    });

    it('finishes nothing that has left the `from` statuses, and leaves it untouched', async () => {
      const job = await createJobRow(prisma, owner, { status: 'succeeded', finishedAt: new Date(), result: { ok: true } });
      const before = await row(job.id);
      expect(await finishJob(prisma.pg, job.id, { status: 'failed', from: ['running'], error: { code: 'x', message: 'y' } })).toBeNull();
      expect(await finishJob(prisma.pg, job.id, { status: 'cancelled', from: ['queued', 'running'] })).toBeNull();
      expect(await row(job.id)).toEqual(before);
    });

    it('lets exactly one of several concurrent finishes win', async () => {
      const job = await createJobRow(prisma, owner, running);
      const outcomes = await Promise.all([
        finishJob(prisma.pg, job.id, { status: 'succeeded', from: ['running'], result: { n: 1 } }),
        finishJob(prisma.pg, job.id, { status: 'failed', from: ['running'], error: { code: 'a', message: 'b' } }),
        finishJob(prisma.pg, job.id, { status: 'cancelled', from: ['queued', 'running'] }),
        finishJob(prisma.pg, job.id, { status: 'expired', from: ['queued', 'running'], error: { code: 'deadline_exceeded', message: 'late' } }),
      ]);
      const winners = outcomes.filter((o): o is Job => o !== null);
      expect(winners).toHaveLength(1);
      expect(await row(job.id)).toEqual(winners[0]);
    });
  });

  describe('requeue', () => {
    it('puts a running job back to queued with its error: the same row as the Prisma updateMany wrote', async () => {
      const [a, b] = await twins({ status: 'running', attempts: 1, startedAt: new Date(Date.now() - 1_000) });
      const error = { code: 'upstream_unavailable', message: 'Every provider is down.' };
      const since = new Date();
      expect(await requeueJob(prisma.pg, a.id, error)).toBe(true);
      expect((await prisma.job.updateMany({ where: { id: b.id, status: 'running' }, data: { status: 'queued', error } })).count).toBe(1);
      const [requeued, reference] = [await row(a.id), await row(b.id)];
      expect(requeued).toMatchObject({ status: 'queued', error });
      expectSameRow(requeued, reference, ['updatedAt'], since);
    });

    it('requeues nothing that is not running', async () => {
      const job = await createJobRow(prisma, owner, { status: 'cancelled', finishedAt: new Date() });
      const before = await row(job.id);
      expect(await requeueJob(prisma.pg, job.id, { code: 'x', message: 'y' })).toBe(false);
      expect(await row(job.id)).toEqual(before);
    });
  });
});
