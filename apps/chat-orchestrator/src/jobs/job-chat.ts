import type { ChatCompletionJobInput } from '@conduit/contracts';
import type { Job } from '@conduit/db';
import { jobIds } from '@conduit/jobs';
import type { ChatContext } from '../chat/chat-context';
import { toolRunSummary } from '../pipeline/stages/model-call/tool-run';
import type { ChatPipeline } from '../pipeline/chat-pipeline';
import { completionResponse } from '../chat/openai-format';

export interface JobChatResult {
  /** The chat.completion object, as `POST /v1/chat/completions` answers, plus Conduit's ids. */
  response: ReturnType<typeof completionResponse> & { conduit: { session_id: string; message_id: string; provider: string } };
  upstreamMs: number;
}

/**
 * Runs one chat request of a job through the regular chat pipeline (history, guardrails,
 * retrieval, routing, retries, fallback, persistence, usage), with ids derived from the job id and request index so that a
 * re-run stores and bills the same turn, and waits until the turn is stored. With `reservationId`
 * (a `chat.completion`: the job's one call), the turn settles the job's reservation with its cost
 * and its usage event names it, exactly as a synchronous call does.
 */
export async function runJobChat(
  pipeline: ChatPipeline,
  job: Job,
  body: ChatCompletionJobInput,
  item: number,
  signal: AbortSignal,
  reservationId?: string,
): Promise<JobChatResult> {
  const context: ChatContext = {
    tenantId: job.tenantId,
    userId: job.userId,
    apiKeyId: job.apiKeyId,
    requestId: job.requestId ?? job.id,
    sessionId: body.conduit?.session_id,
    feature: 'job',
    reservationId: reservationId ?? null,
    jobId: job.id,
  };
  const prepared = await pipeline.start(body, context, {
    sessionId: jobIds.session(job.id, item),
    userMessageId: jobIds.userMessage(job.id, item),
    assistantId: jobIds.assistantMessage(job.id, item),
    responseId: jobIds.responseId(job.id, item),
  });
  const completed = await pipeline.complete(prepared, signal, { durable: true });
  const response = completionResponse(prepared.responseId, completed.model, prepared.created, completed.completion);
  return {
    response: { ...response, conduit: {
        session_id: prepared.sessionId,
        message_id: prepared.assistantId,
        provider: completed.provider,
        // A tool run's summary; a paused one names its confirmation (docs/tools.md).
        ...(prepared.tools ? toolRunSummary(prepared.tools) : {}),
      },
    },
    upstreamMs: Math.round(completed.latencyMs),
  };
}
