import { Injectable } from '@nestjs/common';
import { AsyncJobType, chatCompletionJobInputSchema } from '@conduit/contracts';
import type { Job, Prisma } from '@conduit/db';
import { jobIds } from '@conduit/jobs';
import { formatIssues } from '@conduit/runtime';
import { ChatPipeline } from '../pipeline/chat-pipeline';
import { runJobChat } from './job-chat';
import type { ExecutionContext, ExecutionResult, JobExecutor } from './job-executor';
import { InvalidJobError } from './job-failure';

/**
 * `chat.completion`: one chat request; the result is the chat.completion object. Its turn settles
 * the job's budget reservation with the call's cost, as a synchronous call settles its own.
 */
@Injectable()
export class ChatCompletionExecutor implements JobExecutor {
  readonly type = AsyncJobType.ChatCompletion;

  constructor(private readonly chat: ChatPipeline) {}

  async execute(job: Job, { signal }: ExecutionContext): Promise<ExecutionResult> {
    const input = chatCompletionJobInputSchema.safeParse(job.input);
    if (!input.success) throw new InvalidJobError('invalid_input', `The job's input is invalid: ${formatIssues(input.error)}`);
    const { response, upstreamMs } = await runJobChat(this.chat, job, input.data, 0, signal, jobIds.reservation(job.id));
    return { result: response as unknown as Prisma.InputJsonObject, upstreamMs };
  }
}
