import { randomUUID } from 'node:crypto';
import { webhookEventBody } from '@conduit/contracts';
import { PrismaService, WebhookDelivery } from '@conduit/db';
import { TestOwner, useTestDatabase, waitFor } from '@conduit/testing';
import { outboxDeliverySql } from './delivery.sql';
import { AttemptRecord, DeliveryStore } from './delivery.store';
import type { WebhookEvent } from './webhook-event';

jest.setTimeout(30_000);

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const at = (iso: string) => new Date(iso);

/** The one owner of `webhook_deliveries` and `webhook_delivery_attempts`, against real Postgres. */
describe('DeliveryStore (real Postgres)', () => {
  const db = useTestDatabase('delivery-store');
  let prisma: PrismaService;
  let store: DeliveryStore;
  let owner: TestOwner;

  const event = (overrides: Partial<WebhookEvent> = {}): WebhookEvent => ({
    delivery_id: randomUUID(),
    tenant_id: owner.tenantId,
    job_id: null,
    url: 'https://hooks.example.com/conduit',
    event_type: 'budget.threshold_reached',
    data: { threshold_pct: 80, spend_usd: 12.5, note: 'ünïcødé' },
    occurred_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  });
  const stored = (id: string) => prisma.webhookDelivery.findUniqueOrThrow({ where: { id } });
  const attemptsOf = (id: string) => prisma.webhookDeliveryAttempt.findMany({ where: { deliveryId: id }, orderBy: { attempt: 'asc' } });
  const newJob = () =>
    prisma.job.create({
      data: { id: randomUUID(), tenantId: owner.tenantId, userId: owner.userId, type: 'chat.completion', input: {}, requestHash: '0'.repeat(64), maxAttempts: 1, deadlineAt: new Date() },
    });
  /** A job's outbox row as a producer's statement stores it (body NULL), through the fragment producers embed. */
  const outboxRow = async (input: WebhookEvent, jobId: string, now: Date) => {
    await prisma.pg.query(
      `WITH source AS (SELECT $1::uuid AS id, $2::uuid AS tenant_id, $3::text AS url), outbox AS (
         ${outboxDeliverySql('source', { id: '$4::uuid', tenantId: 'source.tenant_id', jobId: 'source.id', url: 'source.url', eventType: '$5', traceparent: '$6', now: '$7::timestamptz' })}
       ) SELECT 1`,
      [jobId, input.tenant_id, input.url, input.delivery_id, input.event_type, TRACEPARENT, now],
    );
    return stored(input.delivery_id);
  };
  /** The row a first claim stores: everything the event says, pending, nothing attempted, its series starting now. */
  const freshRow = (input: WebhookEvent, now: Date, traceparent: string | null = TRACEPARENT): WebhookDelivery => ({
    id: input.delivery_id,
    tenantId: input.tenant_id,
    jobId: input.job_id ?? null,
    url: input.url,
    eventType: input.event_type,
    body: webhookEventBody(input),
    status: 'pending',
    attempts: 0,
    series: input.series ?? 0,
    seriesStartedAt: now,
    seriesAttempts: 0,
    nextAttemptAt: expect.any(Date) as unknown as Date,
    lastError: null,
    traceparent,
    createdAt: now,
    updatedAt: now,
    deliveredAt: null,
  });

  beforeAll(() => {
    ({ prisma, owner } = db);
    store = new DeliveryStore(prisma);
  });

  describe('insert (producers, in their transaction)', () => {
    it('stores deliveries with their bodies, pending and due now; an id already stored is left as it is', async () => {
      const [a, b] = [event(), event({ event_type: 'spend.spike_detected', data: { factor: 3 } })];
      const before = new Date();
      await store.insert([{ event: a, traceparent: TRACEPARENT }, { event: b }]);
      await store.insert([{ event: { ...a, url: 'https://elsewhere.example.com/', data: { other: true } } }]);
      const [rowA, rowB] = [await stored(a.delivery_id), await stored(b.delivery_id)];
      expect(rowA).toMatchObject({ tenantId: owner.tenantId, url: a.url, eventType: a.event_type, body: webhookEventBody(a), status: 'pending', attempts: 0, series: 0, traceparent: TRACEPARENT });
      expect(rowB).toMatchObject({ body: '{"type":"spend.spike_detected","timestamp":"2026-01-01T00:00:00.000Z","data":{"factor":3}}', traceparent: null });
      expect(rowA.nextAttemptAt?.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    });

    it('stores nothing when the producer’s transaction rolls back (the outbox: the event exists only if its cause committed)', async () => {
      const input = event();
      await expect(
        prisma.$transaction(async (tx) => {
          await store.insert([{ event: input }], tx);
          throw new Error('the change that caused the event failed');
        }),
      ).rejects.toThrow('the change that caused the event failed');
      expect(await prisma.webhookDelivery.findUnique({ where: { id: input.delivery_id } })).toBeNull();
    });
  });

  describe('claim (the worker, once per run)', () => {
    it('stores a delivery that was enqueued without a row: pending, nothing attempted, its series starting now', async () => {
      const input = event({ series: 2 });
      const now = at('2026-02-01T00:00:00.000Z');
      const claimed = await store.claim(input, TRACEPARENT, now);
      expect(claimed).toEqual(freshRow(input, now));
      expect(await stored(input.delivery_id)).toEqual(claimed);
    });

    it("fills in a job's outbox row with the body of the event it was enqueued with, and nothing else", async () => {
      const job = await newJob();
      const input = event({ job_id: job.id, event_type: 'job.succeeded', data: { id: job.id, status: 'succeeded' } });
      const stamped = at('2026-02-01T00:00:00.000Z');
      const outbox = await outboxRow(input, job.id, stamped);
      expect(outbox).toMatchObject({ body: null, jobId: job.id, eventType: 'job.succeeded', status: 'pending', traceparent: TRACEPARENT, createdAt: stamped, nextAttemptAt: stamped });
      const now = at('2026-02-01T00:00:01.000Z');
      const claimed = await store.claim(input, 'another-trace', now);
      expect(claimed).toEqual({ ...outbox, body: webhookEventBody(input), updatedAt: now });
      // A later run brings the same event: the stored body stands.
      expect(await store.claim({ ...input, data: { changed: true } }, null)).toEqual(claimed);
    });

    it('is idempotent per delivery id: a later run gets the stored row, unchanged, whatever it brings', async () => {
      const first = event();
      const created = await store.claim(first, TRACEPARENT, new Date(Date.now() - 60_000));
      const again = await store.claim({ ...first, url: 'https://elsewhere.example.com/', data: { other: true }, series: 3 }, null);
      expect(again).toEqual(created);
      expect(await prisma.webhookDelivery.count({ where: { id: first.delivery_id } })).toBe(1);
    });

    it('gives every one of concurrent first runs the same single row', async () => {
      const input = event();
      const runs = await Promise.all(Array.from({ length: 8 }, () => store.claim(input, TRACEPARENT)));
      const row = await stored(input.delivery_id);
      for (const run of runs) expect(run).toEqual(row);
    });

    it('gets the row a concurrent producer commits while this run waits on it (outside its snapshot)', async () => {
      const input = event();
      const competitor = await prisma.pg.connect();
      try {
        await competitor.query('BEGIN');
        await competitor.query(
          `INSERT INTO webhook_deliveries (id, tenant_id, url, event_type, body, series_started_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, now(), now(), now())`,
          [input.delivery_id, owner.tenantId, input.url, input.event_type, '{"competitor":true}'],
        );
        // This run's statement starts (its snapshot taken) and blocks on the uncommitted row...
        const { rows } = await competitor.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const run = store.claim(input, TRACEPARENT);
        await waitFor(() => prisma.pg.query('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [rows[0].pid]), {
          what: 'the statement to wait on the competing insert',
          until: (blocked) => blocked.rowCount === 1,
        });
        // ...which then commits: the INSERT does nothing and the snapshot cannot see the row.
        await competitor.query('COMMIT');
        const got = await run;
        expect(got).toMatchObject({ id: input.delivery_id, body: '{"competitor":true}' });
        expect(got).toEqual(await stored(input.delivery_id));
      } finally {
        competitor.release();
      }
    });

    it('claims several runs in one call, each as alone: new rows stored, outbox bodies filled in, stored rows and other tenants’ rows left as they are, a delivery named twice once', async () => {
      const other = await db.newOwner();
      const job = await newJob();
      const fresh = event();
      const outboxEvent = event({ job_id: job.id, event_type: 'job.succeeded', data: { id: job.id } });
      const outbox = await outboxRow(outboxEvent, job.id, new Date(Date.now() - 1_000));
      const existing = await store.claim(event(), TRACEPARENT);
      if (!existing) throw new Error('no delivery');
      const foreignJob = await newJob();
      const foreignEvent = event({ job_id: foreignJob.id });
      const foreign = await outboxRow(foreignEvent, foreignJob.id, new Date());
      const now = new Date();
      const existingEvent = event({ delivery_id: existing.id, data: { changed: true } });
      const claimed = await store.claimMany([
        { event: fresh, traceparent: TRACEPARENT, now },
        { event: outboxEvent, traceparent: null, now },
        { event: existingEvent, traceparent: null, now },
        { event: { ...foreignEvent, tenant_id: other.tenantId }, traceparent: null, now },
        { event: fresh, traceparent: null, now },
      ]);
      expect(claimed[0]).toEqual(freshRow(fresh, now));
      expect(claimed[1]).toEqual({ ...outbox, body: webhookEventBody(outboxEvent), updatedAt: now });
      expect(claimed[2]).toEqual(existing);
      expect(claimed[3]).toEqual(foreign);
      expect(claimed[4]).toEqual(claimed[0]);
      for (const row of claimed) expect(await stored(row?.id ?? '')).toEqual(row);
      expect(await store.claimMany([])).toEqual([]);
    });

    it("returns another tenant's row as it is (the worker refuses it): it neither stores nor fills in anything", async () => {
      const other = await db.newOwner();
      const job = await newJob();
      const input = event({ job_id: job.id });
      const outbox = await outboxRow(input, job.id, new Date());
      const run = await store.claim({ ...input, tenant_id: other.tenantId }, null);
      expect(run).toEqual(outbox);
      expect(await stored(input.delivery_id)).toEqual(outbox);
      expect(await prisma.webhookDelivery.count({ where: { tenantId: other.tenantId } })).toBe(0);
    });
  });

  describe('attempt log and status', () => {
    const failedAttempt = { durationMs: 12, statusCode: 500, error: { code: 'http_500', message: 'receiver answered 500' }, responseBody: 'oops' };

    it('logs an attempt and moves the delivery on, once: a replay of the same attempt changes nothing', async () => {
      const created = await store.claim(event(), null);
      if (!created) throw new Error('no delivery');
      const startedAt = new Date(Date.now() - 50);
      const nextAt = new Date(Date.now() + 5_000);
      const now = new Date();
      const record: AttemptRecord = { attempt: 1, startedAt, result: failedAttempt, status: 'pending', nextAt, lastError: 'http_500' };
      expect(await store.recordAttempt(created, record, now)).toBe(true);
      const after = await stored(created.id);
      expect(after).toEqual({ ...created, attempts: 1, seriesAttempts: 1, nextAttemptAt: nextAt, lastError: 'http_500', updatedAt: now });
      expect(await attemptsOf(created.id)).toEqual([
        { deliveryId: created.id, attempt: 1, startedAt, durationMs: 12, statusCode: 500, errorCode: 'http_500', errorMessage: 'receiver answered 500', responseBody: 'oops', nextRetryAt: nextAt },
      ]);
      // The same attempt again (found at attempts = 0): neither logged twice nor applied.
      expect(await store.recordAttempt(created, { ...record, status: 'failed', nextAt: null })).toBe(false);
      expect(await stored(created.id)).toEqual(after);
      expect(await attemptsOf(created.id)).toHaveLength(1);
    });

    it('logs several attempts in one call, each applied only where its delivery still is; a delivery named twice moves once', async () => {
      const [a, b, stale] = await Promise.all([store.claim(event(), null), store.claim(event(), null), store.claim(event(), null)]);
      if (!a || !b || !stale) throw new Error('no delivery');
      const now = new Date();
      const ok = { durationMs: 2, statusCode: 204, error: null, responseBody: null };
      await store.recordAttempt(stale, { attempt: 1, startedAt: now, result: failedAttempt, status: 'pending', nextAt: new Date(Date.now() + 5_000), lastError: 'http_500' }, now);
      const applied = await store.recordAttempts([
        { delivery: a, record: { attempt: 1, startedAt: now, result: ok, status: 'succeeded', nextAt: null, lastError: null }, now },
        { delivery: stale, record: { attempt: 1, startedAt: now, result: ok, status: 'succeeded', nextAt: null, lastError: null }, now },
        { delivery: b, record: { attempt: 1, startedAt: now, result: failedAttempt, status: 'failed', nextAt: null, lastError: 'gave_up' }, now },
        { delivery: a, record: { attempt: 1, startedAt: now, result: failedAttempt, status: 'failed', nextAt: null, lastError: 'again' }, now },
      ]);
      expect(applied).toEqual([true, false, true, false]);
      expect(await stored(a.id)).toMatchObject({ status: 'succeeded', attempts: 1, seriesAttempts: 1, deliveredAt: now, lastError: null });
      expect(await stored(b.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'gave_up', deliveredAt: null });
      expect(await stored(stale.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'http_500' });
      expect(await attemptsOf(a.id)).toMatchObject([{ attempt: 1, statusCode: 204 }]);
      expect(await attemptsOf(b.id)).toMatchObject([{ attempt: 1, statusCode: 500, errorCode: 'http_500', responseBody: 'oops' }]);
      expect(await attemptsOf(stale.id)).toMatchObject([{ attempt: 1, statusCode: 500 }]);
      expect(await store.recordAttempts([])).toEqual([]);
    });

    it('stamps delivered_at on success only', async () => {
      const created = await store.claim(event(), null);
      if (!created) throw new Error('no delivery');
      const now = new Date();
      const result = { durationMs: 3, statusCode: 204, error: null, responseBody: null };
      expect(await store.recordAttempt(created, { attempt: 1, startedAt: now, result, status: 'succeeded', nextAt: null, lastError: null }, now)).toBe(true);
      expect(await stored(created.id)).toMatchObject({ status: 'succeeded', attempts: 1, nextAttemptAt: null, lastError: null, deliveredAt: now });
      expect(await attemptsOf(created.id)).toMatchObject([{ attempt: 1, statusCode: 204, errorCode: null, errorMessage: null, responseBody: null, nextRetryAt: null }]);
      expect(await store.statusOf(created.id)).toBe('succeeded');
      expect(await store.statusOf(randomUUID())).toBeNull();
    });

    it('closes a pending delivery without an attempt, and only a pending one', async () => {
      const created = await store.claim(event(), null);
      if (!created) throw new Error('no delivery');
      const now = new Date();
      expect(await store.close(created.id, 'failed', 'endpoint_disabled', now)).toBe(true);
      const closed = await stored(created.id);
      expect(closed).toEqual({ ...created, status: 'failed', lastError: 'endpoint_disabled', nextAttemptAt: null, updatedAt: now });
      expect(await store.close(created.id, 'failed', 'again')).toBe(false);
      expect(await stored(created.id)).toEqual(closed);
    });
  });

  describe('the API: list and redeliver', () => {
    it("lists a job's deliveries with their attempts, for the job's tenant only", async () => {
      const job = await newJob();
      const created = await store.claim(event({ job_id: job.id, event_type: 'job.succeeded' }), null);
      if (!created) throw new Error('no delivery');
      await store.recordAttempt(created, { attempt: 1, startedAt: new Date(), result: { durationMs: 1, statusCode: 200, error: null, responseBody: null }, status: 'succeeded', nextAt: null, lastError: null });
      const listed = await store.listForJob(owner.tenantId, job.id);
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: created.id, status: 'succeeded', attemptsLog: [{ attempt: 1, statusCode: 200 }] });
      expect(await store.listForJob(randomUUID(), job.id)).toEqual([]);
      expect(await store.findForJob(owner.tenantId, job.id, created.id)).toMatchObject({ id: created.id });
      expect(await store.findForJob(randomUUID(), job.id, created.id)).toBeNull();
      expect(await store.findForJob(owner.tenantId, randomUUID(), created.id)).toBeNull();
    });

    it('starts a new series of a finished delivery — pending, due now, its window and series attempts restarting — and refuses a pending one', async () => {
      const created = await store.claim(event(), null);
      if (!created) throw new Error('no delivery');
      expect(await store.redeliver(created.id)).toBeNull();
      await store.recordAttempt(created, { attempt: 1, startedAt: new Date(), result: { durationMs: 1, statusCode: 500, error: { code: 'http_500', message: 'x' }, responseBody: null }, status: 'failed', nextAt: null, lastError: 'gave_up' });
      const now = at('2026-03-01T00:00:00.000Z');
      const redelivered = await store.redeliver(created.id, now);
      expect(redelivered).toMatchObject({ status: 'pending', series: 1, seriesStartedAt: now, seriesAttempts: 0, nextAttemptAt: now, lastError: null, deliveredAt: null, attempts: 1 });
      expect(redelivered?.attemptsLog.map((a) => a.attempt)).toEqual([1]);
      expect(await store.redeliver(created.id)).toBeNull();
    });
  });

  describe('the reconciler: overdue pending deliveries', () => {
    it('finds pending deliveries due longer ago than the grace period, oldest first; an outbox row without a body comes with its job', async () => {
      const job = await newJob();
      const longAgo = new Date(Date.now() - 3_600_000);
      const outbox = await outboxRow(event({ job_id: job.id, event_type: 'job.succeeded' }), job.id, longAgo);
      const withBody = event();
      await store.insert([{ event: withBody }]);
      await prisma.webhookDelivery.update({ where: { id: withBody.delivery_id }, data: { nextAttemptAt: new Date(longAgo.getTime() + 1) } });
      const recent = await store.claim(event(), null);
      const done = await store.claim(event(), null);
      if (!recent || !done) throw new Error('no delivery');
      await store.close(done.id, 'failed', 'x');

      const found = await store.findOverdue(60_000, 10_000);
      const mine = found.filter((f) => [outbox.id, withBody.delivery_id, recent.id, done.id].includes(f.delivery.id));
      expect(mine.map((f) => f.delivery.id)).toEqual([outbox.id, withBody.delivery_id]);
      expect(mine[0]).toEqual({ delivery: outbox, job });
      expect(mine[1].job).toBeNull();
    });
  });
});
