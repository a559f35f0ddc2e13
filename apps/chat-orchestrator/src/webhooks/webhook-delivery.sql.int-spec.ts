import { randomUUID } from 'node:crypto';
import { PrismaService, WebhookDelivery } from '@conduit/db';
import { waitFor } from '@conduit/testing';
import { WebhookEvent, webhookDeliveryRow } from '@conduit/webhooks';
import { createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { closeDelivery, createOrGetDelivery, recordAttempt } from './webhook-delivery.sql';

jest.setTimeout(30_000);

type Field = keyof WebhookDelivery;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** The delivery worker's statements (webhook-delivery.sql.ts) against Prisma's createManyAndReturn and against themselves. */
describe('webhook delivery statements in plain SQL (real Postgres)', () => {
  let prisma: PrismaService;
  let owner: TestOwner;
  const owners: TestOwner[] = [];

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
  /** A first run of a delivery, as the dispatcher makes it. */
  const create = (input: WebhookEvent, now?: Date) => createOrGetDelivery(prisma.pg, webhookDeliveryRow(input, TRACEPARENT), now);

  beforeAll(async () => {
    prisma = new PrismaService({ url: process.env['DATABASE_URL'] ?? '', poolSize: 8 });
    await prisma.onModuleInit();
    owner = await createOwner(prisma);
    owners.push(owner);
  });

  afterAll(async () => {
    if (prisma) {
      await removeOwners(prisma, owners);
      await prisma.onApplicationShutdown();
    }
  });

  describe('create-or-get', () => {
    it("stores a first run's delivery with every column as Prisma's createManyAndReturn stored it", async () => {
      const since = new Date();
      const created = await create(event());
      const [reference] = await prisma.webhookDelivery.createManyAndReturn({ data: [webhookDeliveryRow(event(), TRACEPARENT)], skipDuplicates: true });
      if (!created || !reference) throw new Error('both inserts should have stored a row');
      expect(Object.keys(created).sort()).toEqual(Object.keys(reference).sort());
      // Stamped "now" by each side: set, recent, and (as Prisma does) one instant for the three defaults.
      const stamped: Field[] = ['seriesStartedAt', 'createdAt', 'updatedAt', 'nextAttemptAt'];
      for (const field of Object.keys(reference) as Field[]) {
        if (field === 'id') continue;
        if (stamped.includes(field)) {
          const value = created[field];
          expect({ field, recent: value instanceof Date && value.getTime() >= since.getTime() - 1 && value.getTime() <= Date.now() }).toEqual({ field, recent: true });
        } else {
          expect({ field, value: created[field] }).toEqual({ field, value: reference[field] });
        }
      }
      expect(created.createdAt).toEqual(created.seriesStartedAt);
      expect(created.updatedAt).toEqual(created.createdAt);
      expect(await stored(created.id)).toEqual(created);
    });

    it('stores a job delivery of a later series with its job id', async () => {
      const job = await prisma.job.create({
        data: { id: randomUUID(), tenantId: owner.tenantId, userId: owner.userId, type: 'chat.completion', input: {}, requestHash: '0'.repeat(64), maxAttempts: 1, deadlineAt: new Date() },
      });
      const created = await create(event({ job_id: job.id, event_type: 'job.succeeded', series: 2 }));
      expect(created).toMatchObject({ jobId: job.id, eventType: 'job.succeeded', series: 2, status: 'pending', attempts: 0, seriesAttempts: 0, traceparent: TRACEPARENT });
    });

    it('is idempotent per delivery id: a later run gets the stored row, unchanged, whatever it brings', async () => {
      const first = event();
      const created = await create(first, new Date(Date.now() - 60_000));
      const again = await create({ ...first, url: 'https://elsewhere.example.com/', data: { other: true }, series: 3 }, new Date());
      expect(again).toEqual(created);
      expect(await stored(first.delivery_id)).toEqual(created);
      expect(await prisma.webhookDelivery.count({ where: { id: first.delivery_id } })).toBe(1);
    });

    it('gives every one of concurrent first runs the same single row', async () => {
      const input = event();
      const runs = await Promise.all(Array.from({ length: 8 }, () => create(input)));
      const row = await stored(input.delivery_id);
      for (const run of runs) expect(run).toEqual(row);
      expect(await prisma.webhookDelivery.count({ where: { id: input.delivery_id } })).toBe(1);
    });

    it('gets the row a concurrent first run commits while this run waits on it (outside its snapshot)', async () => {
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
        const run = create(input);
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

    it("returns another tenant's row as it is (the dispatcher refuses it) and stores nothing", async () => {
      const other = await createOwner(prisma);
      owners.push(other);
      const input = event();
      await create(input);
      const run = await create({ ...input, tenant_id: other.tenantId });
      expect(run?.tenantId).toBe(owner.tenantId);
      expect(await prisma.webhookDelivery.count({ where: { tenantId: other.tenantId } })).toBe(0);
    });
  });

  describe('attempt log and status', () => {
    const failedAttempt = { durationMs: 12, statusCode: 500, error: { code: 'http_500', message: 'receiver answered 500' }, responseBody: 'oops' };

    it('logs an attempt and moves the delivery on, once: a replay of the same attempt changes nothing', async () => {
      const created = await create(event());
      if (!created) throw new Error('no delivery');
      const startedAt = new Date(Date.now() - 50);
      const nextAt = new Date(Date.now() + 5_000);
      const record = { attempt: 1, startedAt, result: failedAttempt, status: 'pending' as const, nextAt, lastError: 'http_500' };
      expect(await recordAttempt(prisma.pg, created, record)).toBe(true);
      const after = await stored(created.id);
      expect(after).toMatchObject({ status: 'pending', attempts: 1, seriesAttempts: 1, nextAttemptAt: nextAt, lastError: 'http_500', deliveredAt: null });
      expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      expect(await attemptsOf(created.id)).toEqual([
        { deliveryId: created.id, attempt: 1, startedAt, durationMs: 12, statusCode: 500, errorCode: 'http_500', errorMessage: 'receiver answered 500', responseBody: 'oops', nextRetryAt: nextAt },
      ]);
      // The same attempt again (found at attempts = 0): neither logged twice nor applied.
      expect(await recordAttempt(prisma.pg, created, { ...record, status: 'failed', nextAt: null })).toBe(false);
      expect(await stored(created.id)).toEqual(after);
      expect(await attemptsOf(created.id)).toHaveLength(1);
    });

    it('stamps delivered_at on success only', async () => {
      const created = await create(event());
      if (!created) throw new Error('no delivery');
      const since = new Date();
      const result = { durationMs: 3, statusCode: 204, error: null, responseBody: null };
      expect(await recordAttempt(prisma.pg, created, { attempt: 1, startedAt: since, result, status: 'succeeded', nextAt: null, lastError: null })).toBe(true);
      const delivered = await stored(created.id);
      expect(delivered).toMatchObject({ status: 'succeeded', attempts: 1, nextAttemptAt: null, lastError: null });
      expect(delivered.deliveredAt?.getTime()).toBeGreaterThanOrEqual(since.getTime() - 1);
      expect(await attemptsOf(created.id)).toMatchObject([{ attempt: 1, statusCode: 204, errorCode: null, errorMessage: null, responseBody: null, nextRetryAt: null }]);
    });

    it('closes a pending delivery without an attempt, and only a pending one', async () => {
      const created = await create(event());
      if (!created) throw new Error('no delivery');
      expect(await closeDelivery(prisma.pg, created.id, 'failed', 'endpoint_disabled')).toBe(true);
      const closed = await stored(created.id);
      expect(closed).toMatchObject({ status: 'failed', lastError: 'endpoint_disabled', nextAttemptAt: null, attempts: 0, deliveredAt: null });
      expect(closed.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      expect(await closeDelivery(prisma.pg, created.id, 'failed', 'again')).toBe(false);
      expect(await stored(created.id)).toEqual(closed);
    });
  });
});
