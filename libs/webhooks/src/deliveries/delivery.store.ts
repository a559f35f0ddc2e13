import { Injectable } from '@nestjs/common';
import { type Job, Prisma, PrismaService, type WebhookDelivery, type WebhookDeliveryAttempt } from '@conduit/db';
import type { WebhookSendResult } from '../webhook.sender';
import { CLAIM_DELIVERIES_SQL, CLOSE_DELIVERY_SQL, GET_DELIVERIES_SQL, RECORD_ATTEMPTS_SQL } from './delivery.sql';
import { WebhookEvent, webhookDeliveryRow } from './webhook-event';

export type DeliveryWithAttempts = WebhookDelivery & { attemptsLog: WebhookDeliveryAttempt[] };

/** A pending delivery the queue lost; `job` is its job when its body is still to be rendered from it. */
export interface OverdueDelivery {
  delivery: WebhookDelivery;
  job: Job | null;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  result: Pick<WebhookSendResult, 'durationMs' | 'statusCode' | 'error' | 'responseBody'>;
  /** Where the delivery goes next, and why it is not delivered (null once it is). */
  status: 'pending' | 'succeeded' | 'failed';
  nextAt: Date | null;
  lastError: string | null;
}

/** One run's claim: the event it was given, and the trace that runs it. */
export interface ClaimOf {
  event: WebhookEvent;
  traceparent: string | null;
  now?: Date;
}

/** One attempt to log: the delivery as the attempt found it, and its outcome. */
export interface AttemptOf {
  delivery: Pick<WebhookDelivery, 'id' | 'attempts' | 'series' | 'seriesAttempts'>;
  record: AttemptRecord;
  now?: Date;
}

/**
 * The one owner of `webhook_deliveries` and `webhook_delivery_attempts`. Producers store a
 * delivery together with the change that causes it (the outbox: {@link insert} inside the
 * producer's transaction, or `outboxDeliverySql` inside its statement) and then enqueue it
 * (`enqueueWebhookDelivery`); the `webhook.deliver` worker {@link claim}s it, logs each attempt
 * ({@link recordAttempt}, {@link recordAttempts} for several at once) or {@link close}s it; the reconciler re-enqueues pending deliveries the
 * queue lost ({@link findOverdue}); the API lists and {@link redeliver}s them. The per-webhook
 * statements are plain SQL (`delivery.sql.ts`), the rest Prisma.
 */
@Injectable()
export class DeliveryStore {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores deliveries with their bodies, pending and due now; ids already stored are left as they
   * are. Pass the producer's transaction so they commit (or not) with the change that caused them.
   */
  async insert(events: readonly { event: WebhookEvent; traceparent?: string | null }[], tx: Prisma.TransactionClient = this.prisma): Promise<void> {
    if (events.length === 0) return;
    await tx.webhookDelivery.createMany({ data: events.map(({ event, traceparent }) => webhookDeliveryRow(event, traceparent)), skipDuplicates: true });
  }

  /**
   * The delivery a `webhook.deliver` run works on: as stored, with the body of an outbox row filled
   * in from `event`; stored now if it never was. Whatever its tenant: the caller checks.
   */
  async claim(event: WebhookEvent, traceparent: string | null, now: Date = new Date()): Promise<WebhookDelivery | null> {
    const [delivery] = await this.claimMany([{ event, traceparent, now }]);
    return delivery;
  }

  /**
   * {@link claim} for several runs in one statement (a second one only for a delivery named twice,
   * or to read rows a concurrent first run committed meanwhile); one answer per claim, in order.
   */
  async claimMany(claims: readonly ClaimOf[]): Promise<(WebhookDelivery | null)[]> {
    const answers = new Array<WebhookDelivery | null>(claims.length).fill(null);
    let rest = claims.map((claim, index) => ({ row: webhookDeliveryRow(claim.event, claim.traceparent), now: claim.now ?? new Date(), index }));
    while (rest.length > 0) {
      const seen = new Set<string>();
      const round = rest.filter(({ row }) => !seen.has(row.id as string) && seen.add(row.id as string)).sort((a, b) => ((a.row.id as string) < (b.row.id as string) ? -1 : 1));
      rest = rest.filter((item) => !round.includes(item));
      const column = <T>(value: (item: (typeof round)[number]) => T) => round.map(value);
      const { rows } = await this.prisma.pg.query<WebhookDelivery>(CLAIM_DELIVERIES_SQL, [
        column(({ row }) => row.id),
        column(({ row }) => row.tenantId),
        column(({ row }) => row.jobId ?? null),
        column(({ row }) => row.url),
        column(({ row }) => row.eventType),
        column(({ row }) => row.body),
        column(({ row }) => row.series ?? 0),
        column(({ now }) => now),
        column(({ row }) => row.nextAttemptAt ?? null),
        column(({ row }) => row.traceparent ?? null),
      ]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      const missing = round.filter(({ row }) => !byId.has(row.id as string)).map(({ row }) => row.id as string);
      if (missing.length > 0) for (const row of (await this.prisma.pg.query<WebhookDelivery>(GET_DELIVERIES_SQL, [missing])).rows) byId.set(row.id, row);
      for (const { row, index } of round) answers[index] = byId.get(row.id as string) ?? null;
    }
    return answers;
  }

  /** Logs the attempt and applies its outcome; false when the delivery had moved on meanwhile. */
  async recordAttempt(
    delivery: Pick<WebhookDelivery, 'id' | 'attempts' | 'series' | 'seriesAttempts'>,
    record: AttemptRecord,
    now: Date = new Date(),
  ): Promise<boolean> {
    const [applied] = await this.recordAttempts([{ delivery, record, now }]);
    return applied;
  }

  /**
   * {@link recordAttempt} for several attempts in one statement (a second one only for a delivery
   * named twice); one answer per attempt, in order.
   */
  async recordAttempts(attempts: readonly AttemptOf[]): Promise<boolean[]> {
    const applied = new Array<boolean>(attempts.length).fill(false);
    let rest = attempts.map((attempt, index) => ({ attempt, index }));
    while (rest.length > 0) {
      const seen = new Set<string>();
      const round = rest.filter(({ attempt }) => !seen.has(attempt.delivery.id) && seen.add(attempt.delivery.id));
      rest = rest.filter((item) => !round.includes(item));
      const column = <T>(value: (attempt: AttemptOf, now: Date) => T) => round.map(({ attempt }) => value(attempt, attempt.now ?? new Date()));
      const { rows } = await this.prisma.pg.query<{ id: string }>(RECORD_ATTEMPTS_SQL, [
        column(({ delivery }) => delivery.id),
        column(({ record }) => record.attempt),
        column(({ record }) => record.startedAt),
        column(({ record }) => record.result.durationMs),
        column(({ record }) => record.result.statusCode),
        column(({ record }) => record.result.error?.code ?? null),
        column(({ record }) => record.result.error?.message ?? null),
        column(({ record }) => record.result.responseBody),
        column(({ record }) => record.nextAt),
        column(({ delivery }) => delivery.seriesAttempts + 1),
        column(({ record }) => record.status),
        column(({ record }) => record.lastError),
        column(({ record }, now) => (record.status === 'succeeded' ? now : null)),
        column((_, now) => now),
        column(({ delivery }) => delivery.attempts),
        column(({ delivery }) => delivery.series),
      ]);
      const moved = new Set(rows.map((row) => row.id));
      for (const { attempt, index } of round) applied[index] = moved.has(attempt.delivery.id);
    }
    return applied;
  }

  /** Closes a still-pending delivery without an attempt (e.g. its endpoint is disabled); false when it was no longer pending. */
  async close(deliveryId: string, status: 'failed', lastError: string, now: Date = new Date()): Promise<boolean> {
    const { rowCount } = await this.prisma.pg.query(CLOSE_DELIVERY_SQL, [deliveryId, status, lastError, now]);
    return rowCount === 1;
  }

  /**
   * Closes the pending deliveries of tenant-wide events (not a job's own) to a URL, e.g. when its
   * registered endpoint is deleted; returns how many.
   */
  async closePendingTo(tenantId: string, url: string, lastError: string, now: Date = new Date()): Promise<number> {
    const { count } = await this.prisma.webhookDelivery.updateMany({
      where: { tenantId, url, jobId: null, status: 'pending' },
      data: { status: 'failed', lastError, nextAttemptAt: null, updatedAt: now },
    });
    return count;
  }

  /** The status of a delivery; null when there is none. */
  async statusOf(deliveryId: string): Promise<WebhookDelivery['status'] | null> {
    const row = await this.prisma.webhookDelivery.findUnique({ where: { id: deliveryId }, select: { status: true } });
    return row?.status ?? null;
  }

  /** A job's deliveries with their attempt logs, oldest first. */
  listForJob(tenantId: string, jobId: string): Promise<DeliveryWithAttempts[]> {
    return this.prisma.webhookDelivery.findMany({
      where: { jobId, tenantId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: { attemptsLog: true },
    });
  }

  /** One delivery of a job of the tenant; null when there is no such delivery. */
  findForJob(tenantId: string, jobId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    return this.prisma.webhookDelivery.findFirst({ where: { id: deliveryId, jobId, tenantId } });
  }

  /**
   * Starts a new series of a delivery that is no longer pending: pending and due now, its retry
   * window and series attempts restarting. Null when it is pending (again) by now.
   */
  async redeliver(deliveryId: string, now: Date = new Date()): Promise<DeliveryWithAttempts | null> {
    const [updated] = await this.prisma.webhookDelivery.updateManyAndReturn({
      where: { id: deliveryId, status: { not: 'pending' } },
      data: { status: 'pending', series: { increment: 1 }, seriesStartedAt: now, seriesAttempts: 0, nextAttemptAt: now, lastError: null, deliveredAt: null },
    });
    if (!updated) return null;
    const attemptsLog = await this.prisma.webhookDeliveryAttempt.findMany({ where: { deliveryId } });
    return { ...updated, attemptsLog };
  }

  /**
   * Pending deliveries due more than `graceMs` ago, oldest first: candidates for re-enqueueing
   * (the caller checks the queue). An outbox row whose body is not rendered yet comes with its job.
   */
  async findOverdue(graceMs: number, limit: number, now: Date = new Date()): Promise<OverdueDelivery[]> {
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { status: 'pending', nextAttemptAt: { lt: new Date(now.getTime() - graceMs) } },
      orderBy: { nextAttemptAt: 'asc' },
      take: limit,
      include: { job: true },
    });
    return rows.map(({ job, ...delivery }) => ({ delivery, job: delivery.body === null ? job : null }));
  }
}
