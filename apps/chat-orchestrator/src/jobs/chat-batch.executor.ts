import { Inject, Injectable } from '@nestjs/common';
import { AsyncJobType, chatBatchJobInputSchema } from '@conduit/contracts';
import type { Job, JobItem, Prisma } from '@conduit/db';
import { JobStore } from '@conduit/jobs';
import { formatIssues } from '@conduit/runtime';
import { ChatPipeline } from '../pipeline/chat-pipeline';
import { runJobChat } from './job-chat';
import type { ExecutionContext, ExecutionResult, JobExecutor } from './job-executor';
import { classifyJobError, InvalidJobError, JobFailure, JobFailureError } from './job-failure';
import { JOBS_WORKER_SETTINGS, JobsWorkerSettings } from './jobs.constants';

/** Runs `work` over `items` with at most `limit` in flight. `work` must not throw. */
async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  });
  await Promise.all(runners);
}

/**
 * `chat.batch`: many chat requests, a few at a time. Each request's outcome is stored as soon as
 * it is known (`job_items`), so a retried or resumed batch only runs what is still pending and
 * progress is visible while it runs. Requests the provider refuses fail on their own; a transient
 * failure leaves the request pending and fails the attempt, which is retried with backoff.
 */
@Injectable()
export class ChatBatchExecutor implements JobExecutor {
  readonly type = AsyncJobType.ChatBatch;

  constructor(
    private readonly chat: ChatPipeline,
    private readonly jobs: JobStore,
    @Inject(JOBS_WORKER_SETTINGS) private readonly settings: JobsWorkerSettings,
  ) {}

  async execute(job: Job, { signal }: ExecutionContext): Promise<ExecutionResult> {
    const input = chatBatchJobInputSchema.safeParse(job.input);
    if (!input.success) throw new InvalidJobError('invalid_input', `The job's input is invalid: ${formatIssues(input.error)}`);
    const requests = input.data.requests;
    await this.jobs.createItems(job.id, requests.map((request) => request.custom_id ?? null));
    const pending = await this.jobs.pendingPositions(job.id);

    let upstreamMs = 0;
    let transient: JobFailure | undefined;
    await forEachBounded(pending, this.settings.batchConcurrency, async (position) => {
      if (signal.aborted || transient) return;
      try {
        const outcome = await runJobChat(this.chat, job, requests[position].body, position, signal);
        upstreamMs += outcome.upstreamMs;
        await this.jobs.settleItem(job.id, position, { status: 'succeeded', result: outcome.response as unknown as Prisma.InputJsonObject });
      } catch (error) {
        if (signal.aborted) return;
        const failure = classifyJobError(error);
        if (failure.retryable) {
          transient = failure;
          return;
        }
        await this.jobs.settleItem(job.id, position, { status: 'failed', error: { code: failure.code, message: failure.message } });
      }
    });
    if (signal.aborted) throw signal.reason;
    if (transient) throw new JobFailureError({ ...transient, message: `Some requests failed transiently and will be retried: ${transient.message}` });
    return { result: await this.resultOf(job.id), upstreamMs };
  }

  /** A batch that failed for good still reports what it did; requests never finished carry the failure. */
  async partialResult(job: Job, failure: { code: string; message: string }): Promise<Prisma.InputJsonObject | undefined> {
    const items = await this.jobs.items(job.id);
    return items.length > 0 ? this.listOf(items, failure) : undefined;
  }

  private async resultOf(jobId: string): Promise<Prisma.InputJsonObject> {
    return this.listOf(await this.jobs.items(jobId));
  }

  private listOf(items: JobItem[], unfinished?: { code: string; message: string }): Prisma.InputJsonObject {
    const data = items.map((item) => {
      const status = item.status === 'pending' ? 'failed' : item.status;
      return {
        index: item.position,
        custom_id: item.customId,
        status,
        response: item.status === 'succeeded' ? (item.result as Prisma.InputJsonValue) : null,
        error: item.status === 'failed' ? (item.error as Prisma.InputJsonValue) : item.status === 'pending' && unfinished ? unfinished : null,
      };
    });
    return {
      object: 'list',
      data,
      counts: { total: items.length, succeeded: data.filter((d) => d.status === 'succeeded').length, failed: data.filter((d) => d.status === 'failed').length },
    };
  }
}
