import { z } from 'zod';
import { chatCompletionRequestSchema } from './chat-completion.schema';

/** Kinds of async job. A new type adds an input schema here and an executor in the worker. */
export const AsyncJobType = {
  ChatCompletion: 'chat.completion',
  ChatBatch: 'chat.batch',
} as const;
export type AsyncJobType = (typeof AsyncJobType)[keyof typeof AsyncJobType];
export const ASYNC_JOB_TYPES = Object.values(AsyncJobType) as [AsyncJobType, ...AsyncJobType[]];

export const AsyncJobStatus = {
  Queued: 'queued',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cancelled: 'cancelled',
  Expired: 'expired',
  /** Paused: a dangerous tool call waits for `POST /v1/tool-confirmations/{id}` (see `required_action`). */
  RequiresAction: 'requires_action',
} as const;
export type AsyncJobStatus = (typeof AsyncJobStatus)[keyof typeof AsyncJobStatus];
export const ASYNC_JOB_STATUSES = Object.values(AsyncJobStatus) as [AsyncJobStatus, ...AsyncJobStatus[]];
export const TERMINAL_JOB_STATUSES: readonly AsyncJobStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];

export const MAX_BATCH_REQUESTS = 1_000;

/** `chat.completion`: the body of `POST /v1/chat/completions`, without streaming. */
export const chatCompletionJobInputSchema = chatCompletionRequestSchema.superRefine((body, ctx) => {
  if (body.stream) ctx.addIssue({ code: 'custom', path: ['stream'], message: 'stream is not supported for async jobs' });
});

/** `chat.batch`: many chat requests, each answered (or failed) on its own. */
export const chatBatchJobInputSchema = z
  .strictObject({
    requests: z
      .array(
        z.strictObject({
          custom_id: z.string().min(1).max(64).optional(),
          body: chatCompletionJobInputSchema,
        }),
      )
      .min(1, 'requests must contain at least one request')
      .max(MAX_BATCH_REQUESTS, `requests holds at most ${MAX_BATCH_REQUESTS} requests`),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.requests.forEach((request, index) => {
      if (request.custom_id === undefined) return;
      if (seen.has(request.custom_id)) ctx.addIssue({ code: 'custom', path: ['requests', index, 'custom_id'], message: 'custom_id must be unique' });
      seen.add(request.custom_id);
    });
  });

export type ChatCompletionJobInput = z.output<typeof chatCompletionJobInputSchema>;
export type ChatBatchJobInput = z.output<typeof chatBatchJobInputSchema>;

/** `job.execute`: run one persisted async job (the row in Postgres is the source of truth). */
export const jobExecuteSchema = z.object({
  job_id: z.uuid(),
  tenant_id: z.uuid(),
});
export type JobExecute = z.output<typeof jobExecuteSchema>;
export type JobExecuteInput = z.input<typeof jobExecuteSchema>;

/** The BullMQ job id of an async job: enqueueing it twice runs it once. */
export function jobExecuteJobId(jobId: string): string {
  return `job-${jobId}`;
}

/** Events sent to a job's webhook_url when it reaches a terminal status, or pauses (`requires_action`). */
export const JOB_WEBHOOK_EVENTS: Record<Exclude<AsyncJobStatus, 'queued' | 'running'>, string> = {
  succeeded: 'job.succeeded',
  failed: 'job.failed',
  cancelled: 'job.cancelled',
  expired: 'job.expired',
  requires_action: 'job.requires_action',
};

/** What a job in `requires_action` waits for: the decision of a tool confirmation (docs/tools.md). */
export interface JobRequiredAction {
  type: 'tool_confirmation';
  confirmation_id: string;
  pending_tool_calls: unknown[];
  /** ISO 8601: when the confirmation expires (a later decision resumes as a denial). */
  expires_at: string | null;
}

/** The public job object (`GET /v1/jobs/:id`, webhook `data`). Timestamps are unix seconds. */
export interface AsyncJobObject {
  id: string;
  object: 'job';
  type: AsyncJobType;
  status: AsyncJobStatus;
  status_url: string;
  metadata: Record<string, string>;
  webhook_url: string | null;
  attempts: number;
  max_attempts: number;
  progress: { total: number; succeeded: number; failed: number } | null;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  /** True when the job failed for good after exhausting its attempts (dead-lettered). */
  dead_lettered: boolean;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  expires_at: number;
  /** Set while the job is `requires_action`; null otherwise. */
  required_action: JobRequiredAction | null;
}
