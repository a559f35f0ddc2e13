import { Injectable } from '@nestjs/common';
import { JOB_WEBHOOK_EVENTS } from '@conduit/contracts';
import { Job, JobItem, JobStatus, Prisma, PrismaService } from '@conduit/db';
import type { FinishJob } from './job-finish';
import { jobIds } from './job-ids';
import { requiredActionOf } from './job-object';
import { CLAIM_JOB_SQL, FINISH_JOB_SQL, INSERT_JOB_SQL, REQUEUE_JOB_SQL, SETTLE_ITEM_SQL } from './job.sql';

export interface JobError {
  code: string;
  message: string;
}

/** A delivery of a job's terminal event to a registered endpoint subscribed to it. */
export interface SubscribedDelivery {
  id: string;
  url: string;
}

/** A job its finish moved to a terminal status, with the subscribed deliveries that finish stored. */
export interface FinishedJob {
  job: Job;
  subscribed: SubscribedDelivery[];
}

/** Whose jobs a read may see: every API read filters by both. */
export interface JobOwner {
  tenantId: string;
  userId: string;
}

export interface JobListFilter {
  status?: JobStatus;
  type?: string;
  /** The id of the last job of the previous page. */
  after?: string;
  limit: number;
}

/** The fields of a new job that the INSERT stores; the others are its defaults (queued, nothing run yet). */
export type NewJobRow = Pick<
  Job,
  | 'id'
  | 'tenantId'
  | 'userId'
  | 'apiKeyId'
  | 'type'
  | 'input'
  | 'metadata'
  | 'webhookUrl'
  | 'idempotencyKey'
  | 'requestHash'
  | 'requestId'
  | 'traceparent'
  | 'maxAttempts'
  | 'itemsTotal'
  | 'createdAt'
  | 'updatedAt'
  | 'deadlineAt'
>;

/**
 * The one owner of `jobs` and `job_items` (one aggregate: a batch's requests are its items).
 * The gateway inserts, reads and cancels (through `JobLifecycle`); the worker claims, requeues,
 * settles items and finishes; the reconciler looks for jobs the queue lost. A job's webhook
 * delivery is stored by the statement that finishes it (see {@link finish}). The per-job
 * statements are plain SQL (`job.sql.ts`), the rest Prisma.
 */
@Injectable()
export class JobStore {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores a submitted job; false when its Idempotency-Key was already used (nothing inserted). */
  async insert(job: NewJobRow): Promise<boolean> {
    const { rowCount } = await this.prisma.pg.query(INSERT_JOB_SQL, [
      job.id,
      job.tenantId,
      job.userId,
      job.apiKeyId,
      job.type,
      JSON.stringify(job.input),
      JSON.stringify(job.metadata),
      job.webhookUrl,
      job.idempotencyKey,
      job.requestHash,
      job.requestId,
      job.traceparent,
      job.maxAttempts,
      job.itemsTotal,
      job.createdAt,
      job.updatedAt,
      job.deadlineAt,
    ]);
    return rowCount === 1;
  }

  /** The job, now running and with this execution counted; null when it is finished, cancelled or not the tenant's. */
  async claim(key: { jobId: string; tenantId: string }, now: Date = new Date()): Promise<Job | null> {
    const { rows } = await this.prisma.pg.query<Job>(CLAIM_JOB_SQL, [key.jobId, key.tenantId, now]);
    return rows[0] ?? null;
  }

  /** True when the job was running and is queued again (a transient failure, retried by the queue). */
  async requeue(jobId: string, error: JobError, now: Date = new Date()): Promise<boolean> {
    const { rowCount } = await this.prisma.pg.query(REQUEUE_JOB_SQL, [jobId, JSON.stringify(error), now]);
    return rowCount === 1;
  }

  /**
   * Moves a job to a terminal status; null when it had already left the `from` statuses. A job
   * with a `webhook_url` gets the delivery of its terminal event in the same statement (pending,
   * its body rendered by the first attempt), `traceparent` naming the trace that produced it.
   */
  async finish(jobId: string, update: FinishJob, traceparent: string | null = null, now: Date = new Date()): Promise<Job | null> {
    return (await this.finishWithDeliveries(jobId, update, traceparent, now))?.job ?? null;
  }

  /**
   * {@link finish}, also answering the deliveries the finish stored for the tenant's endpoints
   * subscribed to the event (besides the job's own), so that they are enqueued without a read.
   */
  async finishWithDeliveries(jobId: string, update: FinishJob, traceparent: string | null = null, now: Date = new Date()): Promise<FinishedJob | null> {
    const { rows } = await this.prisma.pg.query<Job & { subscribedDeliveries: SubscribedDelivery[] }>(FINISH_JOB_SQL, [
      jobId,
      update.status,
      update.from,
      now,
      update.error ? JSON.stringify(update.error) : null,
      update.status === 'cancelled' ? now : null,
      update.result !== undefined ? JSON.stringify(update.result) : null,
      update.deadLettered ? now : null,
      update.upstreamMs ?? null,
      update.status === 'requires_action' ? jobIds.actionWebhookDelivery(jobId, confirmationIdOf(update)) : jobIds.webhookDelivery(jobId),
      JOB_WEBHOOK_EVENTS[update.status],
      traceparent,
    ]);
    if (!rows[0]) return null;
    const { subscribedDeliveries, ...job } = rows[0];
    return { job, subscribed: subscribedDeliveries };
  }

  /** Back to queued, from queued or running (the reconciler re-enqueues it); false when it is finished. */
  async markQueued(jobId: string): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({ where: { id: jobId, status: { in: ['queued', 'running'] } }, data: { status: 'queued' } });
    return count === 1;
  }

  /** A job by id, whoever owns it (workers). */
  findById(jobId: string): Promise<Job | null> {
    return this.prisma.job.findUnique({ where: { id: jobId } });
  }

  /** A job of the owner; null when it is not theirs or does not exist. */
  findOwned(owner: JobOwner, jobId: string): Promise<Job | null> {
    return this.prisma.job.findFirst({ where: { id: jobId, tenantId: owner.tenantId, userId: owner.userId } });
  }

  /** The owner's job submitted with an Idempotency-Key. */
  findByIdempotencyKey(owner: JobOwner, idempotencyKey: string): Promise<Job | null> {
    return this.prisma.job.findUnique({ where: { tenantId_userId_idempotencyKey: { tenantId: owner.tenantId, userId: owner.userId, idempotencyKey } } });
  }

  /**
   * The owner's jobs newest first, ties broken by id, `limit + 1` rows (the extra one says there is
   * more); null when `after` names none of the owner's jobs.
   */
  /** Erasure: every job of the owner (its input holds their prompts); items and deliveries cascade. Idempotent. */
  async deleteAllOf(owner: JobOwner): Promise<number> {
    const { count } = await this.prisma.job.deleteMany({ where: { tenantId: owner.tenantId, userId: owner.userId } });
    return count;
  }

  async list(owner: JobOwner, filter: JobListFilter): Promise<Job[] | null> {
    const where: Prisma.JobWhereInput = {
      tenantId: owner.tenantId,
      userId: owner.userId,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.type ? { type: filter.type } : {}),
    };
    if (filter.after) {
      const cursor = await this.prisma.job.findFirst({ where: { tenantId: owner.tenantId, userId: owner.userId, id: filter.after }, select: { id: true, createdAt: true } });
      if (!cursor) return null;
      where.OR = [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }];
    }
    return this.prisma.job.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: filter.limit + 1 });
  }

  /** Which of these jobs are cancelled (running jobs whose cancellation the worker may have missed). */
  async cancelledAmong(jobIds: readonly string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    const rows = await this.prisma.job.findMany({ where: { id: { in: [...jobIds] }, status: 'cancelled' }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** Jobs still waiting in `requires_action` past their deadline, oldest deadline first (the reconciler expires them). */
  findWaitingPastDeadline(limit: number, now: Date = new Date()): Promise<Job[]> {
    return this.prisma.job.findMany({ where: { status: 'requires_action', deadlineAt: { lte: now } }, orderBy: { deadlineAt: 'asc' }, take: limit });
  }

  /** Queued or running jobs unchanged for `graceMs`, oldest first (the reconciler checks the queue for them). */
  findStale(graceMs: number, limit: number, now: Date = new Date()): Promise<Job[]> {
    return this.prisma.job.findMany({
      where: { status: { in: ['queued', 'running'] }, updatedAt: { lt: new Date(now.getTime() - graceMs) } },
      orderBy: { updatedAt: 'asc' },
      take: limit,
    });
  }

  /** A batch's requests as items, once (a re-run finds them stored). */
  async createItems(jobId: string, customIds: readonly (string | null)[]): Promise<void> {
    await this.prisma.jobItem.createMany({ data: customIds.map((customId, position) => ({ jobId, position, customId })), skipDuplicates: true });
  }

  /** Positions of the batch's requests that have no outcome yet, in order. */
  async pendingPositions(jobId: string): Promise<number[]> {
    const rows = await this.prisma.jobItem.findMany({ where: { jobId, status: 'pending' }, select: { position: true }, orderBy: { position: 'asc' } });
    return rows.map((row) => row.position);
  }

  /**
   * Stores a request's outcome and counts it on the job, in one statement; a request that already
   * has an outcome keeps it (and is not counted twice). True when this call stored it.
   */
  async settleItem(
    jobId: string,
    position: number,
    outcome: { status: 'succeeded'; result: Prisma.InputJsonObject } | { status: 'failed'; error: Prisma.InputJsonObject },
    now: Date = new Date(),
  ): Promise<boolean> {
    const { rowCount } = await this.prisma.pg.query(SETTLE_ITEM_SQL, [
      jobId,
      position,
      outcome.status,
      outcome.status === 'succeeded' ? JSON.stringify(outcome.result) : null,
      outcome.status === 'failed' ? JSON.stringify(outcome.error) : null,
      now,
    ]);
    return rowCount === 1;
  }

  /** All of a batch's items, in order. */
  items(jobId: string): Promise<JobItem[]> {
    return this.prisma.jobItem.findMany({ where: { jobId }, orderBy: { position: 'asc' } });
  }
}

/** The confirmation a `requires_action` update pauses on (named by its result, the paused answer). */
function confirmationIdOf(update: FinishJob): string {
  const action = requiredActionOf({ status: 'requires_action', result: (update.result ?? null) as Job['result'] });
  if (!action) throw new Error('a requires_action update needs the paused answer (with conduit.confirmation_id) as its result');
  return action.confirmation_id;
}
