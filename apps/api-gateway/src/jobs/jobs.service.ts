import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AsyncJobObject, AsyncJobType, QueueName, TERMINAL_JOB_STATUSES, jobExecuteJobId, maxTokensOf } from '@conduit/contracts';
import type { Job, Prisma } from '@conduit/db';
import { ReservationSettler } from '@conduit/budget';
import { JobLifecycle, JobStore, jobCancelChannel, jobIds, linkedSpan, toJobObject } from '@conduit/jobs';
import { injectTraceCarrier } from '@conduit/observability';
import { JobProducer, QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { DeliveryStore, WebhookEndpoints, WebhookTargetError, assertWebhookUrlAllowed, enqueueWebhookDelivery, webhookEventOf } from '@conduit/webhooks';
import { mayUseModel, Principal } from '../auth/principal';
import { AdmissionService, JobRequest } from '../usage/admission.service';
import { isUuid, ListPage, toListPage } from '../sessions/list-page';
import { PromptStore } from '@conduit/prompts';
import { pinJobPrompts } from './job-prompts';
import { JOBS_OPTIONS, JobsOptions } from './jobs.constants';
import { CreateJobBody, ListJobsQuery, WebhookDeliveryObject, toDeliveryObject } from './jobs.dto';
import { JobsErrorCode, JobsException } from './jobs.exception';
import { requestHash } from './request-hash';

export type Owner = Pick<Principal, 'tenantId' | 'userId'>;

export interface SubmitContext {
  principal: Principal;
  idempotencyKey?: string;
  requestId: string;
}

export interface Submitted {
  job: AsyncJobObject;
  /** True when an Idempotency-Key replay returned an existing job. */
  replayed: boolean;
  /** Rate-limit headers of the admission (none on a replay). */
  headers: Record<string, string>;
}

/**
 * How long a job's reservation outlives the job's deadline when nobody ends it (a worker that died
 * and a reconciler that is off): long enough for the runner or the reconciler to expire the job
 * and release it themselves.
 */
export const JOB_RESERVATION_GRACE_MS = 10 * 60_000;

/**
 * Async jobs of the calling user: submission (idempotent with an Idempotency-Key), polling,
 * listing, cancellation, and the webhook delivery log. Every query is scoped to the caller's
 * tenant AND user; anything else answers 404 as if it did not exist.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly jobs: JobStore,
    private readonly deliveryStore: DeliveryStore,
    private readonly lifecycle: JobLifecycle,
    private readonly endpoints: WebhookEndpoints,
    private readonly producer: JobProducer,
    private readonly admission: AdmissionService,
    private readonly settler: ReservationSettler,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(QUEUE_OPTIONS) private readonly queueOptions: QueueModuleOptions,
    @Inject(JOBS_OPTIONS) private readonly options: JobsOptions,
    private readonly prompts: PromptStore,
  ) {}

  async submit(body: CreateJobBody, submit: SubmitContext): Promise<Submitted> {
    const { principal } = submit;
    this.checkLimits(body);
    this.checkModels(body, principal);
    const timeoutS = body.timeout_seconds ?? this.options.jobs.defaultTimeoutS;
    if (timeoutS > this.options.jobs.maxTimeoutS) {
      throw new JobsException(JobsErrorCode.InvalidRequest, `timeout_seconds must be at most ${this.options.jobs.maxTimeoutS}.`, { param: 'timeout_seconds' });
    }
    if (body.webhook_url !== undefined) await this.checkWebhookUrl(principal.tenantId, body.webhook_url);

    const hash = requestHash(body);
    const input = await pinJobPrompts(body, principal, this.prompts);
    const now = new Date();
    const job: Job = {
      id: randomUUID(),
      tenantId: principal.tenantId,
      userId: principal.userId,
      apiKeyId: principal.apiKeyId,
      type: body.type,
      status: 'queued',
      input: input as Prisma.JsonObject,
      metadata: body.metadata ?? {},
      webhookUrl: body.webhook_url ?? null,
      idempotencyKey: submit.idempotencyKey ?? null,
      requestHash: hash,
      requestId: submit.requestId.slice(0, 128),
      traceparent: injectTraceCarrier().traceparent ?? null,
      attempts: 0,
      maxAttempts: this.options.jobs.maxAttempts,
      itemsTotal: body.type === AsyncJobType.ChatBatch ? body.input.requests.length : 0,
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
      deadlineAt: new Date(now.getTime() + timeoutS * 1_000),
    };
    // Priced models, rate limits and the budget reservation of the job's worst case, as on the
    // chat path (400 / 429 / 402 before anything is stored). The reservation lives until the
    // deadline, so a job waiting in the queue keeps what it was admitted with.
    const reservation = { tenantId: principal.tenantId, reservationId: jobIds.reservation(job.id), requestId: job.requestId ?? job.id };
    const admitted = await this.admission.admitJob(principal, jobRequests(body), {
      id: reservation.reservationId,
      ttlMs: timeoutS * 1_000 + JOB_RESERVATION_GRACE_MS,
    });
    // The submit path's one write (one INSERT). A replayed Idempotency-Key inserts nothing.
    const inserted = await this.jobs.insert(job).catch((error: unknown) => {
      this.settler.release(reservation);
      throw error;
    });
    if (!inserted) {
      // The replayed job holds its own reservation; this one belongs to a job that does not exist.
      this.settler.release(reservation);
      if (!submit.idempotencyKey) throw new Error(`job ${job.id} was not inserted`);
      return { job: toJobObject(await this.replay(principal, submit.idempotencyKey, hash)), replayed: true, headers: {} };
    }
    try {
      await this.lifecycle.enqueue(job, { retryDelayMs: this.options.jobs.retryDelayMs });
    } catch (error) {
      // The job is stored (accepted); the orchestrator's reconciler enqueues queued jobs it finds unqueued.
      this.logger.warn({ err: error, job_id: job.id }, 'could not enqueue a submitted job; the reconciler will');
    }
    return { job: toJobObject(job), replayed: false, headers: admitted.headers };
  }

  async get(owner: Owner, jobId: string): Promise<AsyncJobObject> {
    return toJobObject(await this.findOwned(owner, jobId));
  }

  /** Newest first, keyset-paginated like every gateway list; optional status/type filters. */
  async list(owner: Owner, query: ListJobsQuery): Promise<ListPage<AsyncJobObject>> {
    const rows = await this.jobs.list(owner, query);
    if (!rows) throw new JobsException(JobsErrorCode.InvalidCursor, "'after' does not name one of your jobs.", { param: 'after' });
    return toListPage(rows, query.limit, toJobObject);
  }

  /**
   * Cancels a queued or running job. A queued job never starts; a running one has its upstream
   * call aborted (the worker hears it on a Redis channel, and checks the row as a fallback).
   * Cancelling a cancelled job is a no-op; any other finished job answers 409. Whoever moves a
   * job to its terminal status ends its budget reservation: here, the cancel that won releases it
   * (a `chat.completion` whose answer already arrived settled it, and the release is a no-op).
   */
  async cancel(owner: Owner, jobId: string): Promise<AsyncJobObject> {
    const job = await this.findOwned(owner, jobId);
    if (job.status === 'cancelled') return toJobObject(job);
    const cancelled = TERMINAL_JOB_STATUSES.includes(job.status) ? null : await this.lifecycle.finish(job, { status: 'cancelled', from: ['queued', 'running', 'requires_action'] });
    if (!cancelled) {
      const current = await this.findOwned(owner, jobId);
      if (current.status === 'cancelled') return toJobObject(current);
      throw new JobsException(JobsErrorCode.JobNotCancellable, `Job '${jobId}' has already ${current.status}; only queued or running jobs can be cancelled.`, {
        param: 'id',
      });
    }
    this.settler.release({ tenantId: cancelled.tenantId, reservationId: jobIds.reservation(cancelled.id), requestId: cancelled.requestId ?? cancelled.id });
    await this.redis.publish(jobCancelChannel(this.queueOptions.prefix), jobId).catch((error: unknown) => {
      this.logger.warn({ err: error, job_id: jobId }, 'could not announce a cancellation; the worker will notice from the database');
    });
    // A waiting or delayed (retrying) job is removed so no worker wakes up for it; a running one is locked and stays.
    await this.producer
      .queue(QueueName.Jobs)
      .remove(jobExecuteJobId(jobId))
      .catch(() => undefined);
    return toJobObject(cancelled);
  }

  async deliveries(owner: Owner, jobId: string): Promise<ListPage<WebhookDeliveryObject>> {
    const job = await this.findOwned(owner, jobId);
    const rows = await this.deliveryStore.listForJob(owner.tenantId, job.id);
    return toListPage(rows, rows.length, toDeliveryObject);
  }

  /**
   * Sends a finished delivery again (same `webhook-id`, a fresh retry schedule). The new request
   * starts its own trace, linked to the trace of the job that produced the event.
   */
  async redeliver(owner: Owner, jobId: string, deliveryId: string): Promise<WebhookDeliveryObject> {
    const job = await this.findOwned(owner, jobId);
    if (!isUuid(deliveryId)) throw JobsException.deliveryNotFound(deliveryId);
    const delivery = await this.deliveryStore.findForJob(owner.tenantId, job.id, deliveryId);
    if (!delivery) throw JobsException.deliveryNotFound(deliveryId);
    if (delivery.status === 'pending') {
      throw new JobsException(JobsErrorCode.DeliveryInProgress, 'This delivery is still being attempted; redeliver it once it has succeeded or failed.', {
        param: 'delivery_id',
      });
    }
    if (await this.endpoints.findDisabled(owner.tenantId, delivery.url)) throw this.endpointDisabled(delivery.url);
    return linkedSpan('webhook.redeliver', delivery.traceparent, { 'conduit.webhook.delivery_id': delivery.id }, async () => {
      const updated = await this.deliveryStore.redeliver(delivery.id);
      // A delivery that is not pending has been attempted (or closed), so its body is rendered.
      if (!updated || updated.body === null) throw new JobsException(JobsErrorCode.DeliveryInProgress, 'This delivery is already being redelivered.', { param: 'delivery_id' });
      await enqueueWebhookDelivery(this.producer, webhookEventOf({ ...updated, body: updated.body }));
      return toDeliveryObject(updated);
    });
  }

  private async replay(owner: Owner, key: string, hash: string): Promise<Job> {
    const existing = await this.jobs.findByIdempotencyKey(owner, key);
    if (!existing) throw new Error('idempotency key conflict without a row');
    if (existing.requestHash !== hash) {
      throw new JobsException(
        JobsErrorCode.IdempotencyKeyReused,
        `Idempotency-Key '${key}' was already used for a different request (job '${existing.id}'); use a new key for a new job.`,
        { param: 'idempotency-key' },
      );
    }
    return existing;
  }

  private checkLimits(body: CreateJobBody): void {
    for (const { body: chat, param: path } of jobRequests(body)) {
      const limit = maxTokensOf(chat);
      if (limit !== undefined && limit > this.options.maxTokensLimit) {
        throw new JobsException(JobsErrorCode.MaxTokensTooLarge, `max_tokens must be at most ${this.options.maxTokensLimit}.`, {
          param: `${path}.${chat.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens'}`,
        });
      }
    }
  }

  /** Every request of the job must name a model the API key may use (its allow-list). */
  private checkModels(body: CreateJobBody, principal: Principal): void {
    const bodies = body.type === AsyncJobType.ChatBatch ? body.input.requests.map((r, i) => ({ body: r.body, path: `input.requests.${i}.body` })) : [{ body: body.input, path: 'input' }];
    for (const { body: chat, path } of bodies) {
      if (!mayUseModel(principal, chat.model)) {
        throw new JobsException(JobsErrorCode.ModelNotAllowed, `This API key may not use the model "${chat.model}".`, { param: `${path}.model` });
      }
    }
  }

  private async checkWebhookUrl(tenantId: string, url: string): Promise<void> {
    try {
      await assertWebhookUrlAllowed(url, this.options.webhookPolicy, this.options.resolver);
    } catch (error) {
      if (!(error instanceof WebhookTargetError)) throw error;
      throw new JobsException(JobsErrorCode.InvalidWebhookUrl, `${error.message}.`, { param: 'webhook_url' });
    }
    if (await this.endpoints.findDisabled(tenantId, url)) throw this.endpointDisabled(url);
  }

  private endpointDisabled(url: string): JobsException {
    return new JobsException(
      JobsErrorCode.WebhookEndpointDisabled,
      `Webhook endpoint ${url} is disabled (it answered 410 Gone); enable it with POST /v1/webhooks/endpoints/{id}/enable.`,
      { param: 'webhook_url' },
    );
  }

  private async findOwned(owner: Owner, jobId: string): Promise<Job> {
    if (!isUuid(jobId)) throw JobsException.notFound(jobId);
    const job = await this.jobs.findOwned(owner, jobId);
    if (!job) throw JobsException.notFound(jobId);
    return job;
  }
}

/** The chat requests a job will run, with where each sits in the body. */
function jobRequests(body: CreateJobBody): JobRequest[] {
  return body.type === AsyncJobType.ChatBatch
    ? body.input.requests.map((request, i) => ({ body: request.body, param: `input.requests.${i}.body` }))
    : [{ body: body.input, param: 'input' }];
}
