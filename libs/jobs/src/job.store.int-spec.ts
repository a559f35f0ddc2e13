import { randomUUID } from 'node:crypto';
import { Job, Prisma, PrismaService } from '@conduit/db';
import { createColleague, TestOwner, useTestDatabase } from '@conduit/testing';
import { jobIds } from './job-ids';
import type { FinishJob } from './job-finish';
import { JobStore, NewJobRow } from './job.store';

jest.setTimeout(30_000);

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const at = (iso: string) => new Date(iso);

/** The one owner of `jobs` and `job_items`, against real Postgres: every statement and the rows it leaves. */
describe('JobStore (real Postgres)', () => {
  const db = useTestDatabase('job-store');
  let prisma: PrismaService;
  let store: JobStore;
  let owner: TestOwner;

  /** A new job as a submission builds it. */
  const submitted = (overrides: Partial<NewJobRow> = {}): NewJobRow => {
    const now = new Date(Date.now() - 5_000);
    return {
      id: randomUUID(),
      tenantId: owner.tenantId,
      userId: owner.userId,
      apiKeyId: randomUUID(),
      type: 'chat.completion',
      input: { model: 'default', messages: [{ role: 'user', content: 'Hello — ünïcødé ✓' }], temperature: 0.25 },
      metadata: { batch: 'nightly' },
      webhookUrl: null,
      idempotencyKey: null,
      requestHash: 'ab'.repeat(32),
      requestId: 'req-123',
      traceparent: TRACEPARENT,
      maxAttempts: 5,
      itemsTotal: 0,
      createdAt: now,
      updatedAt: now,
      deadlineAt: new Date(now.getTime() + 3_600_000),
      ...overrides,
    };
  };
  const stored = (id: string) => prisma.job.findUniqueOrThrow({ where: { id } });
  const rawRow = async (id: string): Promise<Record<string, unknown>> => {
    const { rows } = await prisma.pg.query<Record<string, unknown>>('SELECT * FROM jobs WHERE id = $1', [id]);
    return rows[0];
  };
  /** A stored job, then moved to `status` (and the other columns given) as the worker would have. */
  const jobIn = async (changes: Prisma.JobUpdateInput = {}, row: Partial<NewJobRow> = {}): Promise<Job> => {
    const job = submitted(row);
    await store.insert(job);
    if (Object.keys(changes).length > 0) await prisma.job.update({ where: { id: job.id }, data: changes });
    return stored(job.id);
  };

  beforeAll(() => {
    ({ prisma, owner } = db);
    store = new JobStore(prisma);
  });

  describe('insert', () => {
    it('stores a submitted job: the given columns as given, the rest at their defaults, equal to the job object the API answers with', async () => {
      const job = submitted({ webhookUrl: 'https://hooks.example.com/jobs', idempotencyKey: `key-${randomUUID()}` });
      expect(await store.insert(job)).toBe(true);
      expect(await rawRow(job.id)).toEqual({
        id: job.id,
        tenant_id: owner.tenantId,
        user_id: owner.userId,
        api_key_id: job.apiKeyId,
        type: 'chat.completion',
        status: 'queued',
        input: job.input,
        metadata: { batch: 'nightly' },
        webhook_url: 'https://hooks.example.com/jobs',
        idempotency_key: job.idempotencyKey,
        request_hash: 'ab'.repeat(32),
        request_id: 'req-123',
        traceparent: TRACEPARENT,
        attempts: 0,
        max_attempts: 5,
        items_total: 0,
        items_succeeded: 0,
        items_failed: 0,
        result: null,
        error: null,
        upstream_ms: null,
        dead_lettered_at: null,
        created_at: job.createdAt,
        updated_at: job.createdAt,
        started_at: null,
        finished_at: null,
        cancelled_at: null,
        deadline_at: job.deadlineAt,
      });
      // The gateway answers the submission from the object it inserted: it must be the stored row.
      expect(await stored(job.id)).toEqual({
        ...job,
        status: 'queued',
        attempts: 0,
        itemsSucceeded: 0,
        itemsFailed: 0,
        result: null,
        error: null,
        upstreamMs: null,
        deadLetteredAt: null,
        startedAt: null,
        finishedAt: null,
        cancelledAt: null,
      });
    });

    it('stores a batch without webhook, key, API key or trace', async () => {
      const job = submitted({ type: 'chat.batch', itemsTotal: 3, apiKeyId: null, traceparent: null, metadata: {} });
      expect(await store.insert(job)).toBe(true);
      expect(await stored(job.id)).toMatchObject({ type: 'chat.batch', itemsTotal: 3, apiKeyId: null, traceparent: null, webhookUrl: null, idempotencyKey: null, metadata: {} });
    });

    it('inserts nothing for an Idempotency-Key the user already used, and stores every job that names none', async () => {
      const first = submitted({ idempotencyKey: `key-${randomUUID()}` });
      expect(await store.insert(first)).toBe(true);
      const replay = submitted({ idempotencyKey: first.idempotencyKey, requestHash: 'cd'.repeat(32) });
      expect(await store.insert(replay)).toBe(false);
      expect(await store.findById(replay.id)).toBeNull();
      expect(await store.findByIdempotencyKey(owner, first.idempotencyKey ?? '')).toMatchObject({ id: first.id, requestHash: 'ab'.repeat(32) });
      // The same key of another user of the tenant is theirs.
      const colleague = await createColleague(prisma, owner);
      expect(await store.insert(submitted({ userId: colleague.userId, idempotencyKey: first.idempotencyKey }))).toBe(true);
      expect(await store.insert(submitted())).toBe(true);
      expect(await store.insert(submitted())).toBe(true);
    });
  });

  describe('claim', () => {
    it('claims a queued job: running, the execution counted, started and updated now; returns exactly what is stored', async () => {
      const job = await jobIn();
      const now = at('2026-05-01T10:00:00.123Z');
      const claimed = await store.claim({ jobId: job.id, tenantId: owner.tenantId }, now);
      expect(claimed).toEqual({ ...job, status: 'running', attempts: 1, startedAt: now, updatedAt: now });
      expect(await stored(job.id)).toEqual(claimed);
    });

    it('claims a running job again (its worker died), counting the execution and keeping its last error', async () => {
      const job = await jobIn({ status: 'running', attempts: 2, startedAt: new Date(Date.now() - 60_000), error: { code: 'upstream_unavailable', message: 'earlier' } });
      const claimed = await store.claim({ jobId: job.id, tenantId: owner.tenantId });
      expect(claimed).toMatchObject({ status: 'running', attempts: 3, error: { code: 'upstream_unavailable', message: 'earlier' } });
    });

    it.each(['succeeded', 'failed', 'cancelled', 'expired'] as const)('claims nothing of a %s job and leaves it untouched', async (status) => {
      const job = await jobIn({ status, attempts: 1, finishedAt: new Date() });
      expect(await store.claim({ jobId: job.id, tenantId: owner.tenantId })).toBeNull();
      expect(await stored(job.id)).toEqual(job);
    });

    it("claims nothing of another tenant's job, nor of a job that does not exist", async () => {
      const other = await db.newOwner();
      const job = await jobIn();
      expect(await store.claim({ jobId: job.id, tenantId: other.tenantId })).toBeNull();
      expect(await store.claim({ jobId: randomUUID(), tenantId: owner.tenantId })).toBeNull();
      expect(await stored(job.id)).toEqual(job);
    });

    it('serialises concurrent claims of one job on its row: each counts exactly once, none is lost', async () => {
      // Queued OR running is claimable, so every claim matches; BullMQ's job lock keeps two workers from running one job.
      const job = await jobIn();
      const claims = await Promise.all(Array.from({ length: 8 }, () => store.claim({ jobId: job.id, tenantId: owner.tenantId })));
      expect(claims.map((c) => c?.attempts ?? 0).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await stored(job.id)).attempts).toBe(8);
    });

    it('races a cancellation: the cancellation wins exactly once, whatever the order', async () => {
      const job = await jobIn();
      const [claimed, cancelled] = await Promise.all([
        store.claim({ jobId: job.id, tenantId: owner.tenantId }),
        store.finish(job.id, { status: 'cancelled', from: ['queued', 'running'] }),
      ]);
      expect(cancelled).toMatchObject({ status: 'cancelled' });
      const row = await stored(job.id);
      expect(row.status).toBe('cancelled');
      expect(row.attempts).toBe(claimed ? 1 : 0);
    });
  });

  describe('finish', () => {
    const running = { status: 'running' as const, attempts: 1, startedAt: at('2026-05-01T09:59:58.000Z'), error: { code: 'upstream_unavailable', message: 'earlier attempt' } };
    const now = at('2026-05-01T10:00:00.456Z');
    const cases: [string, FinishJob, Partial<Job>][] = [
      [
        'succeeded with a result and upstream time',
        { status: 'succeeded', from: ['running'], result: { object: 'chat.completion', choices: [{ index: 0 }] }, upstreamMs: 42 },
        { result: { object: 'chat.completion', choices: [{ index: 0 }] }, upstreamMs: 42, error: null },
      ],
      [
        'failed for good, dead-lettered, with a partial result',
        { status: 'failed', from: ['running'], error: { code: 'upstream_unavailable', message: 'down' }, deadLettered: true, result: { object: 'list', data: [] } },
        { error: { code: 'upstream_unavailable', message: 'down' }, deadLetteredAt: now, result: { object: 'list', data: [] } },
      ],
      ['failed without retry', { status: 'failed', from: ['running'], error: { code: 'upstream_rejected', message: 'no' } }, { error: { code: 'upstream_rejected', message: 'no' } }],
      ['cancelled', { status: 'cancelled', from: ['queued', 'running'] }, { cancelledAt: now, error: null }],
      ['expired', { status: 'expired', from: ['queued', 'running'], error: { code: 'deadline_exceeded', message: 'late' } }, { error: { code: 'deadline_exceeded', message: 'late' } }],
    ];

    it.each(cases)('%s: exactly the columns of the update change, finished and updated now', async (_name, update, changed) => {
      const job = await jobIn(running);
      const finished = await store.finish(job.id, update, null, now);
      expect(finished).toEqual({ ...job, status: update.status, finishedAt: now, updatedAt: now, ...changed });
      expect(await stored(job.id)).toEqual(finished);
    });

    it('leaves the result, upstream time and dead-letter stamp of an earlier write alone when the update names none', async () => {
      const earlier = at('2026-05-01T09:00:00.000Z');
      const job = await jobIn({ ...running, result: { partial: true }, upstreamMs: 7, deadLetteredAt: earlier });
      const finished = await store.finish(job.id, { status: 'failed', from: ['running'] }, null, now);
      expect(finished).toMatchObject({ result: { partial: true }, upstreamMs: 7, deadLetteredAt: earlier, error: null, cancelledAt: null });
    });

    it('finishes nothing that has left the `from` statuses, and leaves it untouched', async () => {
      const job = await jobIn({ status: 'succeeded', finishedAt: new Date() }, { webhookUrl: 'https://hooks.example.com/x' });
      expect(await store.finish(job.id, { status: 'failed', from: ['running'], error: { code: 'x', message: 'y' } })).toBeNull();
      expect(await store.finish(job.id, { status: 'cancelled', from: ['queued', 'running'] })).toBeNull();
      expect(await stored(job.id)).toEqual(job);
      expect(await prisma.webhookDelivery.count({ where: { jobId: job.id } })).toBe(0);
    });

    it('lets exactly one of several concurrent finishes win', async () => {
      const job = await jobIn(running, { webhookUrl: 'https://hooks.example.com/race' });
      const outcomes = await Promise.all([
        store.finish(job.id, { status: 'succeeded', from: ['running'], result: { n: 1 } }),
        store.finish(job.id, { status: 'failed', from: ['running'], error: { code: 'a', message: 'b' } }),
        store.finish(job.id, { status: 'cancelled', from: ['queued', 'running'] }),
        store.finish(job.id, { status: 'expired', from: ['queued', 'running'], error: { code: 'deadline_exceeded', message: 'late' } }),
      ]);
      const winners = outcomes.filter((o): o is Job => o !== null);
      expect(winners).toHaveLength(1);
      expect(await stored(job.id)).toEqual(winners[0]);
      // One delivery, of the winner's event.
      const deliveries = await prisma.webhookDelivery.findMany({ where: { jobId: job.id } });
      expect(deliveries.map((d) => d.eventType)).toEqual([`job.${winners[0].status}`]);
    });

    it.each([
      ['succeeded', 'job.succeeded'],
      ['failed', 'job.failed'],
      ['cancelled', 'job.cancelled'],
      ['expired', 'job.expired'],
    ] as const)("stores a job's delivery with its finish (%s): the outbox row, pending and due now, its body left to the first attempt", async (status, eventType) => {
      const job = await jobIn(running, { webhookUrl: 'https://hooks.example.com/outbox' });
      await store.finish(job.id, { status, from: ['running'] }, TRACEPARENT, now);
      expect(await prisma.webhookDelivery.findMany({ where: { jobId: job.id } })).toEqual([
        {
          id: jobIds.webhookDelivery(job.id),
          tenantId: owner.tenantId,
          jobId: job.id,
          url: 'https://hooks.example.com/outbox',
          eventType,
          body: null,
          status: 'pending',
          attempts: 0,
          series: 0,
          seriesStartedAt: now,
          seriesAttempts: 0,
          nextAttemptAt: now,
          lastError: null,
          traceparent: TRACEPARENT,
          createdAt: now,
          updatedAt: now,
          deliveredAt: null,
        },
      ]);
    });

    it('pauses a running job in requires_action (not finished) with one job.requires_action delivery per confirmation, then finishes it from there', async () => {
      const job = await jobIn(running, { webhookUrl: 'https://hooks.example.com/paused' });
      const paused = (confirmationId: string) => ({ object: 'chat.completion', choices: [{ index: 0, finish_reason: 'requires_confirmation' }], conduit: { confirmation_id: confirmationId } });
      const first = randomUUID();
      const second = randomUUID();
      expect(await store.finish(job.id, { status: 'requires_action', from: ['running'], result: paused(first) }, null, now)).toEqual({
        ...job, status: 'requires_action', finishedAt: null, updatedAt: now, error: null, result: paused(first),
      });
      // Cannot be claimed by a worker while it waits.
      expect(await store.claim({ jobId: job.id, tenantId: job.tenantId })).toBeNull();
      expect(await store.findWaitingPastDeadline(1_000, new Date(job.deadlineAt.getTime() + 1))).toEqual(expect.arrayContaining([expect.objectContaining({ id: job.id })]));
      expect((await store.findWaitingPastDeadline(1_000, new Date(job.deadlineAt.getTime() - 1))).map((j) => j.id)).not.toContain(job.id);
      // The resumed run pauses again, then answers.
      expect(await store.finish(job.id, { status: 'requires_action', from: ['running', 'requires_action'], result: paused(second) }, null, now)).not.toBeNull();
      const done = await store.finish(job.id, { status: 'succeeded', from: ['running', 'requires_action'], result: { object: 'chat.completion' } }, null, now);
      expect(done).toMatchObject({ status: 'succeeded', finishedAt: now });
      expect(await store.finish(job.id, { status: 'succeeded', from: ['running', 'requires_action'], result: { again: true } })).toBeNull();
      const deliveries = await prisma.webhookDelivery.findMany({ where: { jobId: job.id } });
      expect(deliveries.map((d) => [d.id, d.eventType]).sort()).toEqual(
        [
          [jobIds.actionWebhookDelivery(job.id, first), 'job.requires_action'],
          [jobIds.actionWebhookDelivery(job.id, second), 'job.requires_action'],
          [jobIds.webhookDelivery(job.id), 'job.succeeded'],
        ].sort(),
      );
    });

    it('stores no delivery for a job without a webhook', async () => {
      const job = await jobIn(running);
      await store.finish(job.id, { status: 'succeeded', from: ['running'], result: {} });
      expect(await prisma.webhookDelivery.count({ where: { id: jobIds.webhookDelivery(job.id) } })).toBe(0);
    });
  });

  describe('requeue', () => {
    it('puts a running job back to queued with its error, updated now', async () => {
      const job = await jobIn({ status: 'running', attempts: 1, startedAt: new Date(Date.now() - 1_000) });
      const error = { code: 'upstream_unavailable', message: 'Every provider is down.' };
      const now = at('2026-05-01T11:00:00.000Z');
      expect(await store.requeue(job.id, error, now)).toBe(true);
      expect(await stored(job.id)).toEqual({ ...job, status: 'queued', error, updatedAt: now });
    });

    it('requeues nothing that is not running', async () => {
      const job = await jobIn({ status: 'cancelled', finishedAt: new Date() });
      expect(await store.requeue(job.id, { code: 'x', message: 'y' })).toBe(false);
      expect(await stored(job.id)).toEqual(job);
    });
  });

  describe('batch items', () => {
    it('stores the requests once, settles each outcome once and counts it on the job in the same statement', async () => {
      const job = await jobIn({ status: 'running', attempts: 1 }, { type: 'chat.batch', itemsTotal: 3 });
      await store.createItems(job.id, ['a', null, 'c']);
      await store.createItems(job.id, ['a', null, 'c']);
      expect(await store.pendingPositions(job.id)).toEqual([0, 1, 2]);

      const now = at('2026-05-01T12:00:00.000Z');
      expect(await store.settleItem(job.id, 0, { status: 'succeeded', result: { object: 'chat.completion' } }, now)).toBe(true);
      expect(await store.settleItem(job.id, 2, { status: 'failed', error: { code: 'upstream_rejected', message: 'no' } }, now)).toBe(true);
      // A request that already has an outcome keeps it, and is not counted twice.
      expect(await store.settleItem(job.id, 0, { status: 'failed', error: { code: 'late', message: 'late' } })).toBe(false);

      expect(await store.pendingPositions(job.id)).toEqual([1]);
      expect(await stored(job.id)).toMatchObject({ itemsSucceeded: 1, itemsFailed: 1, updatedAt: now });
      expect(await store.items(job.id)).toEqual([
        { jobId: job.id, position: 0, customId: 'a', status: 'succeeded', result: { object: 'chat.completion' }, error: null, updatedAt: now },
        { jobId: job.id, position: 1, customId: null, status: 'pending', result: null, error: null, updatedAt: expect.any(Date) },
        { jobId: job.id, position: 2, customId: 'c', status: 'failed', result: null, error: { code: 'upstream_rejected', message: 'no' }, updatedAt: now },
      ]);
    });

    it('counts each of concurrent settles of different requests', async () => {
      const job = await jobIn({ status: 'running' }, { type: 'chat.batch', itemsTotal: 8 });
      await store.createItems(job.id, Array.from({ length: 8 }, () => null));
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.settleItem(job.id, i, i % 2 ? { status: 'failed', error: {} } : { status: 'succeeded', result: {} })));
      expect(await stored(job.id)).toMatchObject({ itemsSucceeded: 4, itemsFailed: 4 });
    });
  });

  describe('reads', () => {
    it("finds a job only for its owner: not for another user of the tenant, nor another tenant", async () => {
      const job = await jobIn();
      const colleague = await createColleague(prisma, owner);
      expect(await store.findOwned(owner, job.id)).toEqual(job);
      expect(await store.findOwned(colleague, job.id)).toBeNull();
      expect(await store.findOwned({ tenantId: randomUUID(), userId: owner.userId }, job.id)).toBeNull();
    });

    it('lists the owner’s jobs newest first in keyset pages, filtered by status and type; an unknown cursor is null', async () => {
      const lister = await db.newOwner();
      const base = Date.now() - 60_000;
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const created = new Date(base + i * 1_000);
        const job = submitted({ tenantId: lister.tenantId, userId: lister.userId, createdAt: created, updatedAt: created, type: i === 4 ? 'chat.batch' : 'chat.completion' });
        await store.insert(job);
        ids.push(job.id);
      }
      const page1 = await store.list(lister, { limit: 2 });
      expect(page1?.map((j) => j.id)).toEqual([ids[4], ids[3], ids[2]]);
      const page2 = await store.list(lister, { limit: 2, after: ids[3] });
      expect(page2?.map((j) => j.id)).toEqual([ids[2], ids[1], ids[0]]);
      expect((await store.list(lister, { limit: 10, type: 'chat.batch' }))?.map((j) => j.id)).toEqual([ids[4]]);
      expect(await store.list(lister, { limit: 10, status: 'running' })).toEqual([]);
      expect(await store.list(lister, { limit: 10, after: randomUUID() })).toBeNull();
      expect(await store.list(owner, { limit: 10, after: ids[0] })).toBeNull();
    });

    it('finds the cancelled among running jobs, and jobs unchanged for longer than a grace period', async () => {
      const cancelled = await jobIn({ status: 'cancelled' });
      const runningJob = await jobIn({ status: 'running' });
      expect(await store.cancelledAmong([cancelled.id, runningJob.id])).toEqual([cancelled.id]);
      expect(await store.cancelledAmong([])).toEqual([]);

      const old = new Date(Date.now() - 3_600_000);
      const stale = await jobIn({ status: 'running', updatedAt: old });
      const stale2 = await jobIn({ status: 'queued', updatedAt: new Date(old.getTime() + 1) });
      const done = await jobIn({ status: 'succeeded', updatedAt: old });
      const found = (await store.findStale(60_000, 10_000)).map((j) => j.id);
      expect(found).toEqual(expect.arrayContaining([stale.id, stale2.id]));
      expect(found.indexOf(stale.id)).toBeLessThan(found.indexOf(stale2.id));
      expect(found).not.toContain(done.id);
      expect(found).not.toContain(runningJob.id);
    });

    it('puts a queued or running job back to queued, and no finished one', async () => {
      const runningJob = await jobIn({ status: 'running' });
      const done = await jobIn({ status: 'failed' });
      expect(await store.markQueued(runningJob.id)).toBe(true);
      expect((await stored(runningJob.id)).status).toBe('queued');
      expect(await store.markQueued(done.id)).toBe(false);
      expect((await stored(done.id)).status).toBe('failed');
    });
  });
  it('spends one statement (one round trip) on each per-job write: submit, claim, requeue, finish with its outbox row, a batch outcome', async () => {
    const job = submitted({ type: 'chat.batch', itemsTotal: 1, webhookUrl: 'https://hooks.example.com/one' });
    await store.insert(job);
    await store.createItems(job.id, [null]);
    const query = jest.spyOn(prisma.pg, 'query');
    try {
      const statements = async (write: () => Promise<unknown>) => {
        query.mockClear();
        await write();
        return query.mock.calls.length;
      };
      expect(await statements(() => store.insert(submitted()))).toBe(1);
      expect(await statements(() => store.claim({ jobId: job.id, tenantId: owner.tenantId }))).toBe(1);
      expect(await statements(() => store.requeue(job.id, { code: 'x', message: 'y' }))).toBe(1);
      expect(await statements(() => store.settleItem(job.id, 0, { status: 'succeeded', result: {} }))).toBe(1);
      expect(await statements(() => store.finish(job.id, { status: 'succeeded', from: ['queued'] }))).toBe(1);
    } finally {
      query.mockRestore();
    }
    expect(await prisma.webhookDelivery.count({ where: { jobId: job.id } })).toBe(1);
  });
});
