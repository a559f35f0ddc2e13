import { z } from 'zod';

/**
 * Asks the chat-orchestrator's worker to (re-)summarise the older part of one session (memory
 * policy `summaries` or `full`). `covered_message_id` is the last message the session's summary
 * covered when the job was enqueued (null: no summary yet); the worker re-reads everything itself.
 */
export const sessionSummarizeSchema = z.object({
  tenant_id: z.uuid(),
  user_id: z.uuid(),
  session_id: z.uuid(),
  covered_message_id: z.uuid().nullable(),
});
export type SessionSummarize = z.output<typeof sessionSummarizeSchema>;

/**
 * One summary job at a time per session and summary state: turns of a session that passes its
 * threshold while a job is pending or running share its id (BullMQ ignores the second add). Once
 * the summary moves on (a new covered message), the next job has a new id.
 */
export function sessionSummarizeJobId(sessionId: string, coveredMessageId: string | null): string {
  return `summary-${sessionId}-${coveredMessageId ?? 'start'}`;
}
